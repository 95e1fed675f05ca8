"""Cursor pagination for every list: `?cursor=<opaque>&limit=<1..100>` in, `{"items", "next_cursor"}` out.

Querysets page by keyset on their ordering (stable while rows are added); lists a selector already bounded and
ranked (search, recommendations) page by position. Cursors are signed, so a forged one is a 422, never a 500."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from api.errors import ApiError

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_SALT = "api.cursor"


class PageParams(Schema):
    cursor: str | None = Field(None, max_length=500, description="`next_cursor` of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _bad_cursor() -> ApiError:
    return ApiError(422, "invalid_cursor", _("The page cursor is not valid."), {"cursor": [_("Not a valid cursor.")]})


def _encode(value: Any) -> str:
    return signing.dumps(value, salt=_SALT, compress=True)


def _decode(cursor: str, kind: str) -> Any:
    try:
        data = signing.loads(cursor, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise _bad_cursor() from None
    if not isinstance(data, dict) or data.get("k") != kind:
        raise _bad_cursor()
    return data.get("v")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _parsed(value: Any, sample_field) -> Any:
    if sample_field.get_internal_type() == "DateTimeField":
        return dt.datetime.fromisoformat(value)
    return value


def keyset_page(
    queryset: QuerySet,
    params: PageParams,
    *,
    order: Sequence[str],
    kind: str,
    convert: Callable[[Any], Any] = lambda row: row,
) -> dict:
    """One page of `queryset` ordered by `order` (names with an optional "-"; the last must be unique, e.g. "-id")."""
    names = [name.lstrip("-") for name in order]
    queryset = queryset.order_by(*order)
    if params.cursor:
        values = _decode(params.cursor, kind)
        if not isinstance(values, list) or len(values) != len(order):
            raise _bad_cursor()
        model = queryset.model
        try:
            values = [
                _parsed(v, model._meta.get_field(n)) if v is not None else None
                for v, n in zip(values, names, strict=True)
            ]
        except (ValueError, TypeError):
            raise _bad_cursor() from None
        after = Q()
        for index, name in enumerate(order):
            field = names[index]
            op = "lt" if name.startswith("-") else "gt"
            step = Q(**{f"{field}__{op}": values[index]})
            for previous in range(index):
                step &= Q(**{names[previous]: values[previous]})
            after |= step
        queryset = queryset.filter(after)
    rows = list(queryset[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode({"k": kind, "v": [_plain(getattr(last, n)) for n in names]})
    return {"items": [convert(row) for row in rows], "next_cursor": next_cursor}


def list_page(
    items: Sequence[Any] | QuerySet[Any, Any],
    params: PageParams,
    *,
    kind: str,
    convert: Callable[[Any], Any] = lambda x: x,
) -> dict:
    """One page of an already bounded list, by position."""
    start = 0
    if params.cursor:
        start = _decode(params.cursor, kind)
        if not isinstance(start, int) or start < 0:
            raise _bad_cursor()
    # One row more than the page tells whether there is a next page (a queryset is sliced in SQL, not counted).
    chunk = list(items[start : start + params.limit + 1])
    more = len(chunk) > params.limit
    chunk = chunk[: params.limit]
    next_cursor = _encode({"k": kind, "v": start + len(chunk)}) if more else None
    return {"items": [convert(item) for item in chunk], "next_cursor": next_cursor}


def encode_position(kind: str, value: int) -> str:
    return _encode({"k": kind, "v": value})


def decode_position(cursor: str | None, kind: str) -> int:
    if not cursor:
        return 0
    value = _decode(cursor, kind)
    if not isinstance(value, int) or value < 0:
        raise _bad_cursor()
    return value
