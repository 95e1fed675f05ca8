"""Skill suggestions (seed 002 §6.3.1): the terms students and mentors type into their profiles, counted.

Every profile is a bag of terms, each in a vocabulary (subjects; interests and skills; roles). Two statistics come
out of all the bags: how often each term is used per context (student level and field, or the levels a mentor
serves), and how often two terms appear in the same bag. The first suggests what is common for someone like the
user, the second what goes with what they already typed. This module only counts; `matching.services` stores the
counts and `matching.selectors.term_suggestions` ranks them for one user.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# A term typed by students alone becomes a suggestion only once this many students use it: what one student typed
# (a name, a school club, a phone number) must never be shown to others. Listed mentors' terms are public already.
MIN_STUDENTS_PER_TERM = 3
# Companions kept per term and vocabulary: enough for any suggestion list, small enough to rebuild in seconds.
PAIRS_PER_TERM = 20
# A bag is cut to its first terms so one profile with a hundred items cannot dominate the pair counts.
MAX_TERMS_PER_BAG = 30
TERM_MAX_LENGTH = 100

SPLIT = re.compile(r"[\n,]")

# Which profile list feeds which vocabulary; the same mapping tells the form widgets what to suggest.
STUDENT_VOCABULARIES = {"subjects": "subjects", "interests": "topics", "target_roles": "roles"}
MENTOR_VOCABULARIES = {
    "subjects": "subjects",
    "expertise_areas": "topics",
    "specializations": "topics",
    "skills": "topics",
}


def term_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def typed_terms(text: str) -> tuple[list[str], str]:
    """The finished items of a list field's text and the one being typed (after the last separator)."""
    parts = SPLIT.split(text or "")
    finished = [" ".join(part.split()) for part in parts[:-1]]
    return [item for item in finished if item], " ".join(parts[-1].split())


@dataclass(frozen=True)
class Bag:
    """One profile's terms by vocabulary, and the contexts it counts in ((level, field) pairs, "" meaning any)."""

    terms: tuple[tuple[str, str], ...]  # (vocabulary, text)
    contexts: tuple[tuple[str, str], ...]
    from_mentor: bool


def student_bag(*, level: str, stream: str, industries: Iterable[str], lists: dict[str, Iterable[str]]) -> Bag:
    fields = {"", *(code for code in [stream, *industries] if code)}
    levels = {"", level} if level else {""}
    return Bag(
        terms=tuple((STUDENT_VOCABULARIES[name], text) for name, texts in lists.items() for text in texts),
        contexts=tuple((lvl, fld) for lvl in sorted(levels) for fld in sorted(fields)),
        from_mentor=False,
    )


def mentor_bag(*, levels_served: Iterable[str], lists: dict[str, Iterable[str]]) -> Bag:
    return Bag(
        terms=tuple((MENTOR_VOCABULARIES[name], text) for name, texts in lists.items() for text in texts),
        contexts=tuple(sorted({("", ""), *((level, "") for level in levels_served if level)})),
        from_mentor=True,
    )


@dataclass
class Statistics:
    # (vocabulary, level, field, key) → uses
    uses: Counter = field(default_factory=Counter)
    # (key, vocabulary of the other, other key) → bags using both
    pairs: Counter = field(default_factory=Counter)
    # key → how it is most often spelt
    spellings: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    students_per_key: Counter = field(default_factory=Counter)
    mentor_keys: set[str] = field(default_factory=set)

    def add(self, bag: Bag) -> None:
        seen: dict[tuple[str, str], None] = {}
        for vocabulary, text in bag.terms:
            clean = " ".join(text.split())
            key = clean.casefold()
            if not key or len(key) > TERM_MAX_LENGTH:
                continue
            self.spellings[key][clean] += 1
            seen.setdefault((vocabulary, key), None)
            if len(seen) == MAX_TERMS_PER_BAG:
                break
        if not seen:
            return
        keys = {key for _vocabulary, key in seen}
        if bag.from_mentor:
            self.mentor_keys |= keys
        else:
            self.students_per_key.update(keys)
        for vocabulary, key in seen:
            for level, fld in bag.contexts:
                self.uses[vocabulary, level, fld, key] += 1
        for vocabulary, other in seen:
            for key in keys:
                if key != other:
                    self.pairs[key, vocabulary, other] += 1

    def shareable(self, key: str) -> bool:
        return key in self.mentor_keys or self.students_per_key[key] >= MIN_STUDENTS_PER_TERM

    def label(self, key: str) -> str:
        return self.spellings[key].most_common(1)[0][0]

    def term_rows(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for (vocabulary, level, fld, key), uses in self.uses.items():
            if self.shareable(key):
                yield vocabulary, level, fld, key, self.label(key), uses

    def pair_rows(self) -> Iterator[tuple[str, str, str, str, int]]:
        companions: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        for (key, vocabulary, other), uses in self.pairs.items():
            if self.shareable(key) and self.shareable(other):
                companions[key, vocabulary].append((uses, other))
        for (key, vocabulary), others in companions.items():
            others.sort(key=lambda item: (-item[0], item[1]))
            for uses, other in others[:PAIRS_PER_TERM]:
                yield key, vocabulary, other, self.label(other), uses
