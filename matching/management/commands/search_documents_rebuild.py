from django.core.management.base import BaseCommand

from matching.services import search_documents_rebuild


class Command(BaseCommand):
    help = "Rewrite the mentor search index from the mentors (after bulk imports, restores or to repair it)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: object, batch_size: int, **options: object) -> None:
        written = search_documents_rebuild(batch_size=batch_size)
        self.stdout.write(self.style.SUCCESS(f"{written} listed mentors indexed."))
