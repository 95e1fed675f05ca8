"""Collaborative filtering from implicit feedback (bookings, completions, ratings, tips, clicks, views).

Two signals, both "students like you":
- item–item: mentors co-booked with the ones the student already chose (cosine over the students × mentors
  matrix, the strongest neighbours of each mentor kept);
- profile neighbours: what students whose goals and subjects read like this student's went on to book (the
  content vectors of students × their feedback), which is also the answer for a student with no history yet.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from matching.recommender.content import student_text
from matching.recommender.features import StudentRecord

# Neighbours kept per mentor: bounds the similarity matrix at (mentors × this) entries.
NEIGHBOURS = 50
# Weight of the item–item signal against the profile-neighbour one for a student with history.
ITEM_SHARE = 0.7


class CollaborativeModel:
    def __init__(self, feedback: sparse.csr_matrix, students: Sequence[StudentRecord]) -> None:
        """`feedback`: students × mentors (`features.interaction_matrix`), rows aligned with `students`."""
        self.mentor_count = feedback.shape[1]
        self.item_similarity = sparse.csr_matrix((self.mentor_count, self.mentor_count), dtype=np.float32)
        if feedback.nnz == 0:
            self.vectorizer: TfidfVectorizer | None = None
            self.term_mentor = sparse.csr_matrix((0, self.mentor_count))
            return
        by_mentor = normalize(feedback.T.tocsr(), norm="l2", axis=1)
        similarity = (by_mentor @ by_mentor.T).tocsr()
        similarity.setdiag(0)
        similarity.eliminate_zeros()
        self.item_similarity = _keep_strongest(similarity, NEIGHBOURS)
        # Terms × mentors: how much students using each term booked each mentor. Rows of the feedback are scaled to
        # one so a heavy user does not speak for everyone who shares a word with them.
        # The students' own vocabulary (not the mentors'): "robotics" links two students even if no mentor says it.
        per_student = normalize(feedback, norm="l1", axis=1)
        texts = [student_text(student) for student in students]
        self.vectorizer = None
        if any(text.strip() for text in texts):
            self.vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32)
            try:
                vectors = self.vectorizer.fit_transform(texts)
            except ValueError:  # only stop words
                self.vectorizer = None
            else:
                self.term_mentor = (vectors.T.tocsr() @ per_student).tocsr()

    def item_scores(self, history: sparse.csr_matrix) -> np.ndarray:
        """Rows of `history` (students × mentors feedback) → students × mentors co-booking scores."""
        return np.asarray((history @ self.item_similarity).todense(), dtype=np.float32)

    def profile_scores(self, students: Sequence[StudentRecord]) -> np.ndarray:
        if self.vectorizer is None:
            return np.zeros((len(students), self.mentor_count), dtype=np.float32)
        vectors = self.vectorizer.transform([student_text(student) for student in students])
        return np.asarray((vectors @ self.term_mentor).todense(), dtype=np.float32)

    def scores(self, history: sparse.csr_matrix, students: Sequence[StudentRecord]) -> tuple[np.ndarray, np.ndarray]:
        """(blended 0–1 scores, item share of each) per student; the item signal counts only with history."""
        item = _scaled(self.item_scores(history))
        profile = _scaled(self.profile_scores(students))
        has_history = (np.asarray(history.getnnz(axis=1)) > 0)[:, None]
        blended = np.where(has_history, ITEM_SHARE * item + (1 - ITEM_SHARE) * profile, profile)
        return blended, np.where(has_history, ITEM_SHARE * item, 0.0)


def _scaled(rows: np.ndarray) -> np.ndarray:
    """Each row divided by its maximum (0–1); all-zero rows stay zero."""
    peak = rows.max(axis=1, keepdims=True) if rows.size else np.zeros((rows.shape[0], 1))
    return np.divide(rows, peak, out=np.zeros_like(rows), where=peak > 0)


def _keep_strongest(matrix: sparse.csr_matrix, count: int) -> sparse.csr_matrix:
    rows, columns, values = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end:
            continue
        row_values = matrix.data[start:end]
        row_columns = matrix.indices[start:end]
        if end - start > count:
            keep = np.argpartition(-row_values, count)[:count]
            row_values, row_columns = row_values[keep], row_columns[keep]
        rows.extend([row] * len(row_values))
        columns.extend(row_columns.tolist())
        values.extend(row_values.tolist())
    return sparse.csr_matrix((values, (rows, columns)), shape=matrix.shape, dtype=np.float32)
