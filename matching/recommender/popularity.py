"""Popularity and quality: time-decayed bookings (trending) and a Bayesian-average rating.

The Bayesian average shrinks a mentor's rating towards `PRIOR_RATING` by `PRIOR_COUNT` imaginary ratings, so two
5-star reviews do not outrank two hundred 4.8s. The prior is a modest rating rather than the catalogue's mean: with
most ratings near 4.8 the mean would let a couple of lucky fives win.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

from matching.recommender.features import Catalogue, Event

HALF_LIFE_DAYS = 30
PRIOR_COUNT = 10
PRIOR_RATING = 3.5
RATING_SHARE = 0.6
BOOKING_KINDS = frozenset({"booking", "completed"})


def bayesian_ratings(catalogue: Catalogue) -> np.ndarray:
    counts = np.array([mentor.rating_count for mentor in catalogue.mentors], dtype=np.float64)
    ratings = np.array([mentor.average_rating for mentor in catalogue.mentors], dtype=np.float64)
    return (ratings * counts + PRIOR_RATING * PRIOR_COUNT) / (counts + PRIOR_COUNT)


def decayed_bookings(catalogue: Catalogue, events: Sequence[Event], now: dt.datetime) -> np.ndarray:
    totals = np.zeros(len(catalogue))
    decay = math.log(2) / HALF_LIFE_DAYS
    for event in events:
        position = catalogue.index.get(event.mentor_id)
        if position is not None and event.kind in BOOKING_KINDS:
            age_days = max((now - event.at).total_seconds() / 86400, 0.0)
            totals[position] += math.exp(-decay * age_days)
    return totals


def popularity_scores(catalogue: Catalogue, events: Sequence[Event], now: dt.datetime) -> np.ndarray:
    """0–1 per mentor: the Bayesian rating (1–5 → 0–1) blended with log-damped recent bookings."""
    if not len(catalogue):
        return np.zeros(0)
    rating = (bayesian_ratings(catalogue) - 1) / 4
    bookings = np.log1p(decayed_bookings(catalogue, events, now))
    peak = bookings.max()
    trend = bookings / peak if peak > 0 else bookings
    return RATING_SHARE * rating + (1 - RATING_SHARE) * trend
