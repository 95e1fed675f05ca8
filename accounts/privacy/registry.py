"""How apps take part in data export and account erasure without ``accounts`` importing them.

Each app registers, in its ``AppConfig.ready``, an exporter (what it holds about a user, as JSON-ready data and
files) and an eraser (removes or anonymises that data, keeping records the law requires under pseudonymous
references). ``accounts`` calls them all; it never names the apps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core import serializers
from django.db import models
from django.db.models.fields.files import FieldFile


@dataclass
class ExportPart:
    data: dict
    files: list[tuple[str, FieldFile]] = field(default_factory=list)


Exporter = Callable[..., ExportPart]
Eraser = Callable[..., None]
Preparer = Callable[..., str | None]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, tuple[int, Eraser]] = {}
_preparers: dict[str, tuple[int, Preparer]] = {}


def register_exporter(name: str, exporter: Exporter) -> None:
    """``exporter(user=…)`` returns an ``ExportPart``; ``name`` becomes ``<name>.json`` in the zip."""
    _exporters[name] = exporter


def register_eraser(name: str, eraser: Eraser, *, order: int = 50) -> None:
    """``eraser(user=…, pseudonym=…)``; lower ``order`` runs first (apps run before accounts erases the user)."""
    _erasers[name] = (order, eraser)


def register_deletion_preparer(name: str, preparer: Preparer, *, order: int = 50) -> None:
    """``preparer(user=…)`` does what must happen before erasure (cancel bookings, pay a mentor out) and
    returns why the deletion has to wait, or None when the app is ready. Called again until it returns None;
    lower ``order`` runs first."""
    _preparers[name] = (order, preparer)


def deletion_preparers() -> list[tuple[str, Preparer]]:
    return _ordered(_preparers)


def _ordered(hooks: dict[str, tuple[int, Callable]]) -> list[tuple[str, Callable]]:
    return [(name, hook) for name, (_order, hook) in sorted(hooks.items(), key=lambda item: (item[1][0], item[0]))]


def exporters() -> dict[str, Exporter]:
    return dict(sorted(_exporters.items()))


def erasers() -> list[tuple[str, Eraser]]:
    return _ordered(_erasers)


def rows(objects: Iterable[models.Model], *, exclude: Iterable[str] = ()) -> list[dict]:
    """Model rows as plain dicts (Django's serializer: every field, keys as ids), minus ``exclude``."""
    excluded = set(exclude)
    result = []
    for item in serializers.serialize("python", objects):
        fields = {name: value for name, value in item["fields"].items() if name not in excluded}
        result.append({"id": item["pk"], **fields})
    return result


def files_of(objects: Iterable[models.Model], field_name: str, folder: str) -> list[tuple[str, FieldFile]]:
    """Stored files of ``field_name`` on ``objects``, named ``folder/<id>-<file name>`` in the zip."""
    found = []
    for item in objects:
        stored = getattr(item, field_name)
        if stored:
            found.append((f"{folder}/{item.pk}-{stored.name.rsplit('/', 1)[-1]}", stored))
    return found
