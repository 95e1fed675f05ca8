from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts.fields import EncryptedTextField
from accounts.models import AuditLogEntry
from accounts.privacy import crypto
from accounts.privacy.audit import audit_record


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the newest key in FIELD_ENCRYPTION_KEYS "
        "(or, with --new-key, print a fresh key to put in front of that list)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--new-key", action="store_true", help="Print a new key id and key and stop.")

    def handle(self, *args, new_key: bool = False, **options) -> None:
        if new_key:
            existing = {item.partition(":")[0].strip() for item in settings.FIELD_ENCRYPTION_KEYS}
            number = 1
            while f"k{number}" in existing:
                number += 1
            self.stdout.write(f"k{number}:{crypto.generate_key()}")
            return
        newest = crypto.current_key_id()
        for model in apps.get_models():
            fields = [field for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
            if not fields:
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                rewritten = crypto.reencrypt_table(
                    cursor,
                    table=model._meta.db_table,
                    # Concrete fields: their column is never None.
                    pk_column=str(model._meta.pk.column),
                    contexts={str(field.column): field.encryption_context() for field in fields},
                )
                audit_record(
                    event=AuditLogEntry.Event.KEY_ROTATION,
                    subject=ContentType.objects.get_for_model(model),
                    changes={"key_id": newest, "rows": rewritten},
                )
            self.stdout.write(f"{model._meta.label}: {rewritten} rows now use key {newest}.")
