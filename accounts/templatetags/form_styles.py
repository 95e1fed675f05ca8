"""`{{ field|styled }}`: render any form's widget (ours or allauth's) with the site's Tailwind classes."""

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()

CONTROL_CLASSES = (
    "mt-1 block w-full rounded-md border-slate-300 shadow-sm focus:border-indigo-600 focus:ring-indigo-600 "
    "aria-[invalid=true]:border-red-600"
)
CHOICE_CLASSES = "mt-0.5 h-4 w-4 flex-none rounded border-slate-400 text-indigo-600 focus:ring-indigo-600"
# Django puts a multiple-choice widget's attrs on its wrapper too, so its options (one per line, the input inside
# its label) are laid out and styled from the wrapper.
CHOICE_GROUP_CLASSES = (
    "space-y-2 [&_label]:flex [&_label]:items-center [&_label]:gap-2 [&_input]:h-4 [&_input]:w-4 [&_input]:flex-none "
    "[&_input]:rounded [&_input]:border-slate-400 [&_input]:text-indigo-600 [&_input:focus]:ring-indigo-600 "
    "[&_input[type=radio]]:rounded-full"
)
FILE_CLASSES = (
    "mt-1 block w-full text-sm text-slate-700 file:mr-4 file:rounded-md file:border-0 file:bg-indigo-50 "
    "file:px-4 file:py-2 file:font-semibold file:text-indigo-700 hover:file:bg-indigo-100"
)
_CHOICE_GROUP_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def styled(bound_field: forms.BoundField) -> SafeString:
    widget = bound_field.field.widget
    if "class" in widget.attrs:
        return bound_field.as_widget()
    if isinstance(widget, _CHOICE_GROUP_WIDGETS):
        classes = CHOICE_GROUP_CLASSES
    elif isinstance(widget, forms.CheckboxInput):
        classes = CHOICE_CLASSES
    elif isinstance(widget, forms.FileInput):
        classes = FILE_CLASSES
    else:
        classes = CONTROL_CLASSES
    return bound_field.as_widget(attrs={"class": classes})
