"""Values from fixed lists in the reader's language: `{{ user.state|state_label }}`,
`{{ mentor.subjects|term_labels }}`, `{{ subject|term_label }}`, `{{ user.time_zone|time_zone_label }}`,
`{{ ticket.language_code|language_name }}`; a language named in itself: `{{ code|native_language_name:fallback }}`.
A `Language` row has `display_name`."""

from django import template

from accounts.languages import language_label, native_language_name
from accounts.suggestions import state_label, term_label, term_labels
from accounts.timezones import time_zone_label

register = template.Library()
register.filter("state_label", state_label)
register.filter("term_label", term_label)
register.filter("term_labels", term_labels)
register.filter("time_zone_label", time_zone_label)
register.filter("native_language_name", native_language_name)


@register.filter
def language_name(code: str) -> str:
    return language_label(code, code)
