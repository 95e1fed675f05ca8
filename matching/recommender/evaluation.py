"""Offline evaluation: a synthetic population with hidden preferences, six rankers, ranking metrics.

The population (`synthetic_population`) is written so that no single signal tells the whole truth:
- Each mentor teaches one or two of `TOPICS` (JEE, NEET, class 10 boards, software, UPSC, …) at the levels the
  topic belongs to, speaks the regional language of their state (mostly), often English, sometimes Hindi.
- Each student has a level, a class or a programme, a state (hence a regional language, English for some) and one
  or two hidden topics. The profile shows the topics only through the student's own words: school subjects,
  stream, interests, challenges, industries, target roles, with noise (a generic subject, an unrelated interest).
- Hidden mentor quality (0–1) shows only through ratings; hidden taste (a 3-dimensional teaching-style vector
  that students and mentors both have) shows only through who booked whom.
- A student's utility for a mentor: topic match (2.0), level served (0.8, −1 if not), quality (0.8), taste (0.8),
  same state (0.3), the student's primary language as the mentor's (0.4), Gumbel noise; a mentor sharing no language
  cannot be booked at all.
- Warm students have a history: four bookings drawn by utility (completed, rated by quality and taste), and views
  and clicks on a few more. Cold students have a profile and nothing else. Everyone's relevant set is the next
  three mentors they would book (drawn by utility among those not booked before).

Metrics over each student's top 10: precision@5, recall@10, NDCG@10 (binary relevance), catalogue coverage
(distinct mentors shown / catalogue), intra-list diversity (1 − mean pairwise TF-IDF cosine of the list) and
novelty (mean −log2 of the share of training students who interacted with the mentor).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matching import scoring
from matching.recommender import hybrid
from matching.recommender.features import Catalogue, Event, MentorRecord, StudentRecord

K = 10
RELEVANT_PER_STUDENT = 3
HISTORY_BOOKINGS = 4
HISTORY_BROWSED = 4


@dataclass(frozen=True)
class Topic:
    key: str
    levels: tuple[str, ...]
    specializations: tuple[str, ...]
    expertise: tuple[str, ...]
    subjects: tuple[str, ...]
    industry: str
    # The student's side, in a student's words.
    interests: tuple[str, ...]
    industries: tuple[str, ...] = ()
    challenges: tuple[str, ...] = ()
    streams: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    school_subjects: tuple[str, ...] = ()
    grades: tuple[int, ...] = ()


TOPICS = (
    Topic("jee", ("school",), ("JEE Physics", "JEE Mathematics", "JEE Chemistry"), ("Engineering entrance coaching",),
          ("Physics", "Mathematics", "Chemistry"), "Engineering", ("JEE preparation", "IIT", "mechanics problems"),
          ("engineering",), ("exam_preparation",), ("science_pcm",), (), ("Physics", "Chemistry", "Mathematics"),
          (11, 12)),
    Topic("neet", ("school",), ("NEET Biology", "NEET Chemistry"), ("Medical entrance coaching",),
          ("Biology", "Chemistry"), "Healthcare", ("NEET", "MBBS", "becoming a doctor"), ("healthcare",),
          ("exam_preparation",), ("science_pcb",), (), ("Biology", "Chemistry", "Physics"), (11, 12)),
    Topic("boards", ("school",), ("CBSE Class 10 Science", "Board exam strategy"), ("School tutoring",),
          ("Science", "Mathematics"), "Education", ("board exams", "scoring well in class 10"), (),
          ("exam_preparation", "study_habits"), (), (), ("Science", "Mathematics", "English"), (9, 10)),
    Topic("olympiad", ("school",), ("Mathematics Olympiad", "NTSE"), ("Olympiad coaching",), ("Mathematics",),
          "Education", ("olympiad", "puzzles", "NTSE scholarship"), ("research",), ("difficult_subjects",), (), (),
          ("Mathematics", "Science"), (6, 7, 8, 9, 10)),
    Topic("commerce", ("school", "college"), ("Chartered Accountancy (CA Foundation)", "Accountancy"),
          ("Finance and accounting",), ("Accountancy", "Economics"), "Finance", ("CA", "accounting", "stock market"),
          ("finance",), (), ("commerce",), ("Chartered Accountant",), ("Accountancy", "Economics"), (11, 12)),
    Topic("software", ("college",), ("Software Engineering", "Full-stack web development"),
          ("Software Engineering", "Coding interviews"), ("Computer Science",), "Technology",
          ("coding", "web development", "competitive programming"), ("technology",), ("internships_jobs", "interviews"),
          (), ("Software Engineer",)),
    Topic("data", ("college",), ("Data Science", "Machine Learning"), ("Data analysis", "Statistics"),
          ("Statistics",), "Technology", ("machine learning", "AI", "data analytics"), ("technology", "research"),
          ("internships_jobs",), (), ("Data Scientist",)),
    Topic("upsc", ("college",), ("UPSC Civil Services",), ("Civil services preparation",), ("Polity", "History"),
          "Government", ("UPSC", "IAS", "current affairs"), ("government",), ("exam_preparation",), (),
          ("IAS officer",)),
    Topic("mba", ("college",), ("CAT and MBA admissions",), ("Business strategy", "Product management"),
          ("Management",), "Business", ("MBA", "CAT", "startups"), ("business", "entrepreneurship"), ("admissions",),
          (), ("Product Manager",)),
    Topic("design", ("school", "college"), ("UI/UX Design", "NID entrance"), ("Design portfolio",), ("Fine arts",),
          "Design", ("drawing", "design", "animation"), ("design_media",), (), ("arts",), ("UX Designer",),
          ("Art", "English"), (9, 10, 11, 12)),
    Topic("english", ("school", "college"), ("Spoken English", "Public speaking"), ("Communication skills",),
          ("English",), "Education", ("public speaking", "debate"), (), ("communication", "confidence"), (), (),
          ("English",), (6, 7, 8, 9, 10, 11, 12)),
    Topic("law", ("school", "college"), ("CLAT preparation", "Corporate law"), ("Legal careers",),
          ("Legal studies",), "Law", ("law", "CLAT", "moot court"), ("law",), ("admissions",), ("arts", "commerce"),
          ("Lawyer",), ("Political Science", "English"), (11, 12)),
    Topic("career", ("school", "college"), ("Career counselling", "Stream selection"), ("Career guidance",),
          ("Psychology",), "Education", ("choosing a career", "what to study after 12th"), (),
          ("career_clarity", "stream_choice"), (), (), ("Science", "Social Science"), (8, 9, 10, 11, 12)),
)  # fmt: skip
STATES = {
    "Telangana": ("te", "Hyderabad"),
    "Andhra Pradesh": ("te", "Vijayawada"),
    "Tamil Nadu": ("ta", "Chennai"),
    "Karnataka": ("kn", "Bengaluru"),
    "Maharashtra": ("mr", "Pune"),
    "Uttar Pradesh": ("hi", "Lucknow"),
    "Delhi": ("hi", "New Delhi"),
    "West Bengal": ("bn", "Kolkata"),
}
NOISE_INTERESTS = ("cricket", "music", "reading", "chess", "photography", "dance")
STYLE_DIMENSIONS = 3


@dataclass
class Population:
    catalogue: Catalogue
    students: list[StudentRecord]
    training: list[Event]
    relevant: dict[int, set[int]]
    warm: list[int]
    cold: list[int]
    now: dt.datetime


def synthetic_population(
    *, mentors: int = 400, students: int = 1200, cold_share: float = 0.4, seed: int = 7, now: dt.datetime | None = None
) -> Population:
    rng = np.random.default_rng(seed)
    now = now or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    states = list(STATES)
    mentor_records, mentor_topics, quality, mentor_style = [], [], [], []
    for mentor_id in range(1, mentors + 1):
        topics = list(rng.choice(len(TOPICS), size=rng.integers(1, 3), replace=False))
        state = states[rng.integers(len(states))]
        regional, city = STATES[state]
        primary = regional if rng.random() < 0.75 else "hi"
        spoken = {primary, regional}
        if rng.random() < 0.85:
            spoken.add("en")
        if rng.random() < 0.25:
            spoken.add("hi")
        levels = {level for index in topics for level in TOPICS[index].levels}
        chosen = [TOPICS[index] for index in topics]
        new = rng.random() < 0.1
        mentor_records.append(
            MentorRecord(
                id=mentor_id,
                primary_language=primary,
                languages=frozenset(spoken),
                levels=frozenset(levels),
                specializations=tuple(label for topic in chosen for label in topic.specializations[:2]),
                expertise=tuple(label for topic in chosen for label in topic.expertise),
                industry_focus=tuple(topic.industry for topic in chosen),
                subjects=tuple(subject for topic in chosen for subject in topic.subjects),
                title="Mentor",
                bio=" ".join(f"I mentor students in {topic.specializations[0]}." for topic in chosen),
                city=city,
                state=state,
                years_experience=int(rng.integers(1, 15)),
                response_minutes=int(rng.integers(30, 3000)),
                listed_since=now - dt.timedelta(days=int(rng.integers(1, 25) if new else rng.integers(60, 700))),
            )
        )
        mentor_topics.append(set(topics))
        quality.append(float(rng.beta(4, 2)))
        mentor_style.append(rng.normal(size=STYLE_DIMENSIONS))
    quality_array = np.array(quality)
    style = np.array(mentor_style)
    style /= np.linalg.norm(style, axis=1, keepdims=True)

    student_records, student_topics, student_style = [], [], []
    for student_id in range(1, students + 1):
        level = "school" if rng.random() < 0.55 else "college"
        fitting = [index for index, topic in enumerate(TOPICS) if level in topic.levels]
        topics = list(rng.choice(fitting, size=rng.integers(1, 3), replace=False))
        student_records.append(_student(rng, student_id, level, [TOPICS[index] for index in topics]))
        student_topics.append(set(topics))
        vector = rng.normal(size=STYLE_DIMENSIONS)
        student_style.append(vector / np.linalg.norm(vector))
    catalogue = Catalogue(mentor_records)
    speaks = [catalogue.speaks_any(student.facts.spoken) for student in student_records]

    def utility(row: int) -> np.ndarray:
        student = student_records[row]
        topic = np.array([2.0 if mentor_topics[m] & student_topics[row] else 0.0 for m in range(mentors)])
        level = catalogue.levels.get(student.facts.academic_level or "")
        level_term = np.where(level, 0.8, -1.0) if level is not None else -1.0
        same_state = catalogue.states == scoring.normalize_place(student.facts.state)
        primary = catalogue.primary == student.facts.primary_language
        value = (
            topic + level_term + 0.8 * quality_array + 0.8 * (style @ student_style[row])
            + 0.3 * same_state + 0.4 * primary + rng.gumbel(scale=0.5, size=mentors)
        )  # fmt: skip
        return np.where(speaks[row], value, -np.inf)

    cold_count = int(students * cold_share)
    training: list[Event] = []
    relevant: dict[int, set[int]] = {}
    ratings: dict[int, list[int]] = {}
    for row, student in enumerate(student_records):
        values = utility(row)
        order = [int(position) for position in np.argsort(-values) if np.isfinite(values[position])]
        warm = row >= cold_count
        booked = order[:HISTORY_BOOKINGS] if warm else []
        relevant[student.id] = {
            mentors_id(catalogue, p) for p in order[len(booked) : len(booked) + RELEVANT_PER_STUDENT]
        }
        for position in booked:
            at = now - dt.timedelta(days=float(rng.uniform(1, 120)))
            mentor_id = mentors_id(catalogue, position)
            stars = int(np.clip(round(2.2 + 2.5 * quality[position] + style[position] @ student_style[row]), 1, 5))
            training += [
                Event(student.id, mentor_id, "booking", at),
                Event(student.id, mentor_id, "completed", at),
                Event(student.id, mentor_id, "rating", at, stars),
            ]
            ratings.setdefault(position, []).append(stars)
        if warm:
            for position in rng.choice(order[: HISTORY_BOOKINGS * 4], size=HISTORY_BROWSED, replace=False):
                at = now - dt.timedelta(days=float(rng.uniform(1, 60)))
                training.append(Event(student.id, mentors_id(catalogue, int(position)), "view", at))
    # What ratings show publicly: the average and count of the training ratings.
    rated = [_with_ratings(mentor, ratings.get(position, [])) for position, mentor in enumerate(catalogue.mentors)]
    ids = [student.id for student in student_records]
    return Population(
        catalogue=Catalogue(rated),
        students=student_records,
        training=training,
        relevant=relevant,
        warm=ids[cold_count:],
        cold=ids[:cold_count],
        now=now,
    )


def mentors_id(catalogue: Catalogue, position: int) -> int:
    return catalogue.mentors[position].id


def _with_ratings(mentor: MentorRecord, stars: list[int]) -> MentorRecord:
    from dataclasses import replace

    if not stars:
        return mentor
    return replace(mentor, average_rating=float(np.mean(stars)), rating_count=len(stars))


def _student(rng: np.random.Generator, student_id: int, level: str, topics: list[Topic]) -> StudentRecord:
    state = list(STATES)[rng.integers(len(STATES))]
    regional, city = STATES[state]
    spoken = {regional}
    if rng.random() < (0.5 if level == "school" else 0.8):
        spoken.add("en")
    if rng.random() < 0.3:
        spoken.add("hi")
    primary = regional if rng.random() < 0.85 else "hi"
    spoken.add(primary)
    grades = sorted({grade for topic in topics for grade in topic.grades}) or [10]
    grade = int(rng.choice(grades)) if level == "school" else None
    streams = [stream for topic in topics for stream in topic.streams]
    stream = str(rng.choice(streams)) if streams and grade in (11, 12) else ""

    def some(values: Sequence[str], share: float = 0.6) -> list[str]:
        return [value for value in values if rng.random() < share]

    interests = [value for topic in topics for value in some(topic.interests, 0.5)]
    if rng.random() < 0.5:
        interests.append(str(rng.choice(NOISE_INTERESTS)))
    subjects = sorted({value for topic in topics for value in topic.school_subjects}) if level == "school" else []
    facts_fields = [*subjects, *interests]
    return StudentRecord(
        id=student_id,
        facts=scoring.StudentFacts(
            primary_language=primary,
            languages=frozenset(spoken),
            academic_level=level,
            fields=tuple(facts_fields),
            career_goals=tuple(role for topic in topics for role in some(topic.roles)),
            city=city if rng.random() < 0.7 else "",
            state=state,
            time_zone="Asia/Kolkata",
        ),
        class_grade=grade,
        stream=stream,
        subjects=tuple(subjects),
        interests=tuple(interests),
        challenges=tuple(dict.fromkeys(value for topic in topics for value in some(topic.challenges))),
        industries=tuple(dict.fromkeys(value for topic in topics for value in some(topic.industries))),
        target_roles=tuple(role for topic in topics for role in some(topic.roles)),
        major="Computer Science" if level == "college" and any(t.key in {"software", "data"} for t in topics) else "",
    )


# --- rankers and metrics -----------------------------------------------------------------------------------------

Ranker = Callable[[hybrid.HybridModel, list[StudentRecord], Mapping[int, list[Event]]], dict[int, list[int]]]


def _weighted(weights: Mapping[str, float] | None, *, diversify: bool, explore: bool) -> Ranker:
    def rank(model, students, histories):
        lists = model.recommend(
            students,
            histories=histories,
            dismissed={},
            at=model.fitted_at,
            count=K,
            weights=weights,
            diversify=diversify,
            explore=explore,
            with_reasons=False,
        )
        return {student_id: [item.mentor_id for item in items] for student_id, items in lists.items()}

    return rank


def _random(seed: int) -> Ranker:
    def rank(model, students, histories):
        rng = np.random.default_rng(seed)
        lists = {}
        for student in students:
            booked = {event.mentor_id for event in histories.get(student.id, ()) if event.kind in hybrid.BOOKED_KINDS}
            candidates = model.candidates(student, booked)
            picked = rng.choice(candidates, size=min(K, len(candidates)), replace=False)
            lists[student.id] = [int(model.catalogue.ids[position]) for position in picked]
        return lists

    return rank


def rankers(seed: int = 0) -> dict[str, Ranker]:
    """The baselines and the hybrid. Every ranker keeps the hard rules (language, listed, not interested)."""
    single = {"diversify": False, "explore": False}
    return {
        "random": _random(seed),
        "popularity": _weighted({"popularity": 1.0}, **single),
        "compatibility": _weighted({"compatibility": 1.0}, **single),
        "content": _weighted({"content": 1.0}, **single),
        "collaborative": _weighted({"collaborative": 1.0}, **single),
        "hybrid": _weighted(None, diversify=True, explore=True),
    }


@dataclass(frozen=True)
class Metrics:
    precision_at_5: float
    recall_at_10: float
    ndcg_at_10: float
    coverage: float
    diversity: float
    novelty: float


def metrics(
    lists: Mapping[int, list[int]], relevant: Mapping[int, set[int]], model: hybrid.HybridModel, events: list[Event]
) -> Metrics:
    precision, recall, ndcg, diversity, novelty = [], [], [], [], []
    interacted: dict[int, set[int]] = {}
    for event in events:
        interacted.setdefault(event.mentor_id, set()).add(event.student_id)
    students_total = len({event.student_id for event in events}) or 1
    shown: set[int] = set()
    for student_id, items in lists.items():
        wanted = relevant.get(student_id, set())
        top = items[:K]
        shown.update(top)
        hits = [1.0 if mentor in wanted else 0.0 for mentor in top]
        precision.append(sum(hits[:5]) / 5)
        recall.append(sum(hits) / len(wanted) if wanted else 0.0)
        ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(wanted), K)))
        ndcg.append(sum(hit / math.log2(rank + 2) for rank, hit in enumerate(hits)) / ideal if ideal else 0.0)
        if len(top) > 1:
            positions = np.array([model.catalogue.index[mentor] for mentor in top])
            similarity = model.content.mentor_similarity(positions)
            pairs = len(top) * (len(top) - 1)
            diversity.append(1 - (similarity.sum() - np.trace(similarity)) / pairs)
        novelty += [-math.log2((len(interacted.get(m, ())) + 1) / (students_total + 1)) for m in top]
    return Metrics(
        precision_at_5=float(np.mean(precision)) if precision else 0.0,
        recall_at_10=float(np.mean(recall)) if recall else 0.0,
        ndcg_at_10=float(np.mean(ndcg)) if ndcg else 0.0,
        coverage=len(shown) / max(len(model.catalogue), 1),
        diversity=float(np.mean(diversity)) if diversity else 0.0,
        novelty=float(np.mean(novelty)) if novelty else 0.0,
    )


def evaluate(population: Population, *, seed: int = 0) -> dict[str, dict[str, Metrics]]:
    """{group ("cold", "warm"): {ranker: Metrics}}."""
    model = hybrid.HybridModel(population.catalogue, population.students, population.training, population.now)
    histories = _histories(population.training)
    by_id = {student.id: student for student in population.students}
    table: dict[str, dict[str, Metrics]] = {}
    for group, ids in (("cold", population.cold), ("warm", population.warm)):
        students = [by_id[student_id] for student_id in ids]
        table[group] = {
            name: metrics(rank(model, students, histories), population.relevant, model, population.training)
            for name, rank in rankers(seed).items()
        }
    return table


def tune(population: Population, *, step: float = 0.1) -> dict[str, tuple[dict[str, float], float]]:
    """The blend with the best NDCG@10 for each group (a grid of weights summing to one)."""
    model = hybrid.HybridModel(population.catalogue, population.students, population.training, population.now)
    histories = _histories(population.training)
    by_id = {student.id: student for student in population.students}
    steps = round(1 / step)
    grid = [
        dict(zip(hybrid.COMPONENTS, (a * step, b * step, c * step, (steps - a - b - c) * step), strict=True))
        for a, b, c in itertools.product(range(steps + 1), repeat=3)
        if a + b + c <= steps
    ]
    best = {}
    for group, ids in (("cold", population.cold), ("warm", population.warm)):
        students = [by_id[student_id] for student_id in ids]
        scored = []
        for weights in grid:
            lists = _weighted(weights, diversify=False, explore=False)(model, students, histories)
            scored.append((metrics(lists, population.relevant, model, population.training).ndcg_at_10, weights))
        value, weights = max(scored, key=lambda pair: pair[0])
        best[group] = ({name: round(weight, 2) for name, weight in weights.items()}, value)
    return best


def _histories(events: list[Event]) -> dict[int, list[Event]]:
    histories: dict[int, list[Event]] = {}
    for event in events:
        histories.setdefault(event.student_id, []).append(event)
    return histories
