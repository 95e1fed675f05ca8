"""Demo data step for `seed_demo`: index every listed mentor the earlier steps created."""

from matching.services import search_documents_rebuild


def seed(*, stdout) -> None:
    stdout.write(f"Search index: {search_documents_rebuild()} listed mentors.")
