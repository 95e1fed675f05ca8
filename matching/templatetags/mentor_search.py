from django import template
from django.forms import BoundField, CheckboxInput
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def filter_field(field: BoundField) -> SafeString:
    """A filter control with its label and, when wrong, its error (which the control names in aria-describedby).

    Written in Python rather than an included template: the search page shows a dozen of these on every request.
    """
    errors = " ".join(str(error) for error in field.errors)
    error = format_html('<p id="{}_error" class="text-sm text-red-700">{}</p>', field.auto_id, errors)
    if isinstance(field.field.widget, CheckboxInput):
        control = format_html(
            '<label class="inline-flex items-center gap-2 text-sm" for="{}">{} {}</label>',
            field.id_for_label,
            field.as_widget(),
            field.label,
        )
    else:
        control = format_html(
            '<label class="text-sm font-medium text-slate-700" for="{}">{}</label>{}',
            field.id_for_label,
            field.label,
            field.as_widget(),
        )
    return format_html('<div class="flex flex-col gap-1">{}{}</div>', control, error if field.errors else "")
