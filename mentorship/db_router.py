"""Reads of the discovery catalogue from a PostgreSQL streaming replica, when one is configured.

Enabled by `DATABASE_REPLICA_URL` (settings add the `replica` alias and this router). Only tables that are
derived, read on every search and tolerant of a replica's lag of milliseconds go there: the search documents,
the search vocabulary and the language list. Everything else, every write, and any read inside a transaction on
the primary (where a use case must see its own writes) stays on `default`.
"""

from django.db import connections

REPLICA = "replica"
REPLICA_MODELS = frozenset({"matching.mentorsearchdocument", "matching.searchterm", "accounts.language"})


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if model._meta.label_lower in REPLICA_MODELS and not connections["default"].in_atomic_block:
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the same rows as the primary, so objects read from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == "default"
