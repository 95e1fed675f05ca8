"""Demo data step for `seed_demo`: index every listed mentor the earlier steps created and count the terms behind
the skill suggestions."""

from matching.services import search_documents_rebuild, suggestion_statistics_refresh


def seed(*, stdout) -> None:
    stdout.write(f"Search index: {search_documents_rebuild()} listed mentors.")
    terms, pairs = suggestion_statistics_refresh()
    stdout.write(f"Skill suggestions: {terms} term counts, {pairs} pairs.")
