import sys

from django.core.management.base import BaseCommand

from accounts.privacy.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exits with status 1 and lists the rows that were edited or removed."

    def handle(self, *args, **options) -> None:
        breaks = audit_chain_verify()
        if not breaks:
            self.stdout.write(self.style.SUCCESS("The audit log is intact."))
            return
        for found in breaks:
            what = "was edited" if found.reason == "edited" else "follows a removed row"
            self.stderr.write(f"Audit entry #{found.entry_id} {what}.")
        sys.exit(1)
