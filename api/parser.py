"""JSON bodies as Ninja reads them, refusing what no stored text may hold: a NUL character anywhere (PostgreSQL
refuses it, which would otherwise be a 500) is a 422, like any other invalid value."""

import json

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

from api.errors import ApiError


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body)
        if _has_nul(data):
            message = _("The request contained a character that is not allowed.")
            raise ApiError(422, "validation_error", message, {"body": [message]})
        return data
