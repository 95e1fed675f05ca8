import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Each app that has demo data offers `<app>.demo.seed(*, stdout)`; accounts runs first, the others build on it.
DEMO_MODULES = (
    "accounts.demo",
    "mentors.demo",
    "sessions_app.demo_history",
    "matching.demo",
    "sessions_app.demo",
    "payments.demo",
    "adminpanel.demo",
)


class Command(BaseCommand):
    help = "Create the demo users and data (idempotent). Never runs with production settings."

    def handle(self, *args: object, **options: object) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo refuses to run with PEERLEARN_ENV=production.")
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
