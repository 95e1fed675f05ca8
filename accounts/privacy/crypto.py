"""Authenticated encryption (AES-256-GCM) for sensitive fields, with rotatable keys.

A stored value reads ``enc1:<key id>:<base64 of nonce + ciphertext + tag>``. Keys come from
``settings.FIELD_ENCRYPTION_KEYS`` (newest first): the newest encrypts, any of them decrypts, so keys rotate by
putting a new key in front and running ``manage.py rotate_encryption_keys``. The associated data binds each
ciphertext to its column, so a value copied into another column or table does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key id, wrong column or tampered bytes."""


@dataclass(frozen=True)
class FieldKey:
    key_id: str
    aead: AESGCM


@lru_cache(maxsize=4)
def parse_keys(spec: tuple[str, ...]) -> list[FieldKey]:
    """``["k2:<base64 32 bytes>", "k1:…"]`` → keys, newest first; refuses anything malformed."""
    keys = []
    for item in spec:
        key_id, sep, encoded = item.strip().partition(":")
        if not sep or not key_id.isalnum():
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS entries look like <key id>:<base64 key>.")
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as error:
            raise ImproperlyConfigured(f"Encryption key {key_id} is not base64.") from error
        if len(raw) != 32:
            raise ImproperlyConfigured(f"Encryption key {key_id} must be 32 bytes (AES-256).")
        keys.append(FieldKey(key_id, AESGCM(raw)))
    if not keys:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS to at least one key.")
    if len({key.key_id for key in keys}) != len(keys):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS has two keys with the same id.")
    return keys


def _keys() -> list[FieldKey]:
    return parse_keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


def current_key_id() -> str:
    return _keys()[0].key_id


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def encrypt(plaintext: str, *, context: str) -> str:
    key = _keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}:{key.key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(stored: str, *, context: str) -> str:
    prefix, _sep, rest = stored.partition(":")
    key_id, _sep, payload = rest.partition(":")
    if prefix != PREFIX:
        raise DecryptionError("not an encrypted value")
    key = next((k for k in _keys() if k.key_id == key_id), None)
    if key is None:
        raise DecryptionError(f"no key with id {key_id!r}")
    try:
        blob = base64.b64decode(payload, validate=True)
        return key.aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode()).decode()
    except (binascii.Error, ValueError, InvalidTag) as error:
        raise DecryptionError("the value was altered or belongs to another column") from error


def mask(value: str, *, visible: int = 4) -> str:
    """``123456789012`` → ``••••9012``: enough to recognise a value, never enough to use it."""
    if not value:
        return ""
    return "••••" + value[-visible:] if len(value) > visible else "••••"


def reencrypt_table(cursor, *, table: str, pk_column: str, contexts: dict[str, str]) -> int:
    """Bring every value of the given columns to the newest key; plain text (rows from before encryption) is
    encrypted. ``contexts`` maps column → encryption context. Returns the number of rows rewritten.

    Works on raw rows, so the same code serves the data migration (historical models) and key rotation.
    """
    newest = current_key_id()
    columns = list(contexts)
    column_sql = ", ".join(f'"{column}"' for column in columns)
    cursor.execute(f'SELECT "{pk_column}", {column_sql} FROM "{table}" FOR UPDATE')  # noqa: S608 (names are ours)
    rewritten = 0
    for pk, *values in cursor.fetchall():
        updates = {}
        for column, value in zip(columns, values, strict=True):
            if not value or value.startswith(f"{PREFIX}:{newest}:"):
                continue
            plaintext = decrypt(value, context=contexts[column]) if is_encrypted(value) else value
            updates[column] = encrypt(plaintext, context=contexts[column])
        if updates:
            assignments = ", ".join(f'"{column}" = %s' for column in updates)
            cursor.execute(
                f'UPDATE "{table}" SET {assignments} WHERE "{pk_column}" = %s',  # noqa: S608
                [*updates.values(), pk],
            )
            rewritten += 1
    return rewritten
