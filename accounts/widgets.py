"""Form widgets shared by the apps' profile forms."""

import json

from django import forms
from django.urls import reverse


class TermSuggestionsMixin:
    """A list field's input followed by a live region that HTMX fills with suggested terms as the person types
    (`matching:term_suggestions`); a button adds its term to the field. Without JavaScript it is a plain input."""

    def __init__(self, *, vocabulary: str, audience: str, attrs: dict | None = None) -> None:
        self.vocabulary = vocabulary
        self.audience = audience
        super().__init__(attrs=attrs)  # type: ignore[call-arg]

    def get_context(self, name: str, value: object, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)  # type: ignore[misc]
        widget = context["widget"]
        widget["input_template_name"] = self.input_template_name  # type: ignore[attr-defined]
        widget["suggestions_url"] = reverse("matching:term_suggestions")
        widget["suggestions_vals"] = json.dumps(
            {
                "vocabulary": self.vocabulary,
                "audience": self.audience,
                "field": name,
                "target": widget["attrs"].get("id", ""),
            }
        )
        return context


TEMPLATE = "accounts/forms/term_suggestions_widget.html"


class TermSuggestionsTextarea(TermSuggestionsMixin, forms.Textarea):
    template_name = TEMPLATE
    input_template_name = forms.Textarea.template_name


class TermSuggestionsTextInput(TermSuggestionsMixin, forms.TextInput):
    template_name = TEMPLATE
    input_template_name = forms.TextInput.template_name
