"""Model fields shared by apps."""

from django.db import models

from accounts.privacy import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted at rest (AES-GCM, see ``accounts.privacy.crypto``); plain text in Python.

    Empty values stay empty so "is it set?" constraints still work. Lookups other than ``=""`` cannot match
    (each encryption uses a fresh nonce).
    """

    def encryption_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.attname}"

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value, context=self.encryption_context())

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(value, context=self.encryption_context())
