"""Content similarity: TF-IDF over what mentors teach against what the student wants.

Informative terms weigh more (inverse document frequency, terms in most profiles dropped). Generic school
subjects are read through the student's level, class and stream: a class 10 student's "Science" means physics,
chemistry and biology for the boards, a class 12 PCB student's means NEET biology, so "Science" never matches a
college "Data Science" specialization word for word. Mentors who do not teach the student's level keep only a
fraction of their similarity.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.recommender.features import Catalogue, MentorRecord, StudentRecord

# A term in more than this share of mentor profiles says nothing about fit (once the catalogue is big enough to tell).
MAX_DOCUMENT_FREQUENCY = 0.5
MIN_MENTORS_FOR_DF_CUT = 20
# Similarity kept by a mentor who does not serve the student's academic level.
OTHER_LEVEL_FACTOR = 0.3

# Generic school subjects → what they mean in a school syllabus. The subject word itself is dropped when it is
# ambiguous ("science", "studies"); specific ones ("mathematics", "physics") stay.
SCHOOL_SUBJECTS: dict[str, str] = {
    "science": "physics chemistry biology",
    "general science": "physics chemistry biology",
    "social science": "history geography civics economics",
    "social studies": "history geography civics economics",
    "evs": "environment biology geography",
    "mathematics": "mathematics algebra geometry trigonometry",
    "maths": "mathematics algebra geometry trigonometry",
    "math": "mathematics algebra geometry trigonometry",
    "english": "english grammar writing spoken communication",
    "computer science": "programming coding computers python",
    "computers": "programming coding computers python",
    "computer applications": "programming coding computers python",
    "commerce": "accountancy economics business",
}
# What a school student's class and stream add to every query.
SCHOOL_BANDS = {"middle": "school ncert foundation olympiad", "board": "school board exams ncert cbse"}
STREAM_TERMS = {
    "science_pcm": "jee engineering entrance physics chemistry mathematics iit",
    "science_pcb": "neet medical entrance biology chemistry physics mbbs",
    "commerce": "commerce accountancy economics business ca cuet",
    "arts": "humanities history political science psychology cuet clat",
    "vocational": "vocational skills career",
}
CHALLENGE_TERMS = {
    "career_clarity": "career guidance counselling career planning",
    "stream_choice": "stream selection course selection college admissions counselling",
    "exam_preparation": "exam preparation strategy",
    "study_habits": "study skills time management productivity",
    "difficult_subjects": "concepts tutoring problem solving",
    "admissions": "admissions applications college counselling",
    "internships_jobs": "internships placements jobs career",
    "interviews": "interview preparation resume placements",
    "communication": "spoken english communication public speaking",
    "confidence": "confidence motivation mentoring",
}
INDUSTRY_TERMS = {
    "technology": "software engineering technology programming computer",
    "engineering": "engineering mechanical electrical civil jee",
    "healthcare": "medicine doctor mbbs neet healthcare",
    "finance": "finance banking accounting chartered accountant ca",
    "business": "business management mba consulting cat",
    "government": "upsc civil services ias government",
    "law": "law clat legal",
    "education": "teaching education",
    "design_media": "design media arts nid animation",
    "research": "research science phd",
    "agriculture": "agriculture environment",
    "defence": "defence nda armed forces",
    "entrepreneurship": "startup entrepreneurship business",
}


def mentor_text(mentor: MentorRecord) -> str:
    # Repetition is the weight: what a mentor specializes in says more than one sentence of the bio.
    return " ".join(
        [
            *(list(mentor.specializations) * 3),
            *(list(mentor.expertise) * 2),
            *mentor.subjects,
            *mentor.industry_focus,
            mentor.title,
            *mentor.skills,
            mentor.bio,
        ]
    )


def student_text(student: StudentRecord) -> str:
    parts: list[str] = []
    school = student.facts.academic_level == "school"
    for subject in student.subjects:
        key = subject.casefold().strip()
        parts.append(SCHOOL_SUBJECTS.get(key, subject) if school else subject)
    if school and student.class_grade:
        parts.append(SCHOOL_BANDS["board" if student.class_grade >= 9 else "middle"])
        parts.append(f"class {student.class_grade}")
    if student.stream:
        parts.append(STREAM_TERMS.get(student.stream, ""))
    parts += [CHALLENGE_TERMS.get(code, "") for code in student.challenges]
    parts += [INDUSTRY_TERMS.get(code, "") for code in student.industries]
    # What the student typed counts twice: it is the most specific thing we know.
    typed = [*student.interests, *student.target_roles, student.major, student.degree, student.challenge_details]
    parts += typed * 2
    return " ".join(part for part in parts if part)


class ContentModel:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        big = len(catalogue) >= MIN_MENTORS_FOR_DF_CUT
        self.vectorizer = TfidfVectorizer(
            stop_words="english",
            sublinear_tf=True,
            max_df=MAX_DOCUMENT_FREQUENCY if big else 1.0,
            dtype=np.float32,
        )
        texts = [mentor_text(mentor) for mentor in catalogue.mentors]
        if any(text.strip() for text in texts):
            self.mentor_vectors = self.vectorizer.fit_transform(texts).tocsr()
        else:
            self.mentor_vectors = sparse.csr_matrix((len(catalogue), 0), dtype=np.float32)

    def student_vectors(self, students: list[StudentRecord]) -> sparse.csr_matrix:
        if self.mentor_vectors.shape[1] == 0:
            return sparse.csr_matrix((len(students), 0), dtype=np.float32)
        return self.vectorizer.transform([student_text(student) for student in students]).tocsr()

    def scores(self, students: list[StudentRecord]) -> np.ndarray:
        """Students × mentors cosine similarity (0–1), reduced for mentors outside the student's level."""
        vectors = self.student_vectors(students)
        if vectors.shape[1] == 0:
            return np.zeros((len(students), len(self.catalogue)), dtype=np.float32)
        similarity = np.asarray((vectors @ self.mentor_vectors.T).todense(), dtype=np.float32)
        for row, student in enumerate(students):
            level = student.facts.academic_level
            if level:
                serves = self.catalogue.levels.get(level)
                factor = np.where(serves, 1.0, OTHER_LEVEL_FACTOR) if serves is not None else OTHER_LEVEL_FACTOR
                similarity[row] *= factor
        return similarity

    def best_topic(self, student: StudentRecord, mentor: MentorRecord) -> str | None:
        """The mentor's label (specialization, else expertise or subject) sharing the most informative words with
        the student's query: what a "Helps with …" reason names."""
        if self.mentor_vectors.shape[1] == 0:
            return None
        analyzer = self._analyzer()
        query = self._query_words(student)
        idf = self._idf()
        best, best_weight = None, 0.0
        for label in (*mentor.specializations, *mentor.expertise, *mentor.subjects):
            weight = sum(idf.get(word, 0.0) for word in set(analyzer(label)) & query)
            if weight > best_weight:
                best, best_weight = label, weight
        return best

    def _analyzer(self):
        if not hasattr(self, "_cached_analyzer"):
            self._cached_analyzer = self.vectorizer.build_analyzer()
        return self._cached_analyzer

    def _query_words(self, student: StudentRecord) -> set[str]:
        """The student's analysed words; the last student's are kept (reasons ask for each of their 50 mentors)."""
        cached = getattr(self, "_last_query", None)
        if cached is None or cached[0] is not student:
            cached = (student, set(self._analyzer()(student_text(student))))
            self._last_query = cached
        return cached[1]

    def _idf(self) -> dict[str, float]:
        if not hasattr(self, "_idf_by_word"):
            names = self.vectorizer.get_feature_names_out()
            self._idf_by_word = dict(zip(names, self.vectorizer.idf_.tolist(), strict=True))
        return self._idf_by_word

    def mentor_similarity(self, positions: np.ndarray) -> np.ndarray:
        vectors = self.mentor_vectors[positions]
        return np.asarray((vectors @ vectors.T).todense(), dtype=np.float32)
