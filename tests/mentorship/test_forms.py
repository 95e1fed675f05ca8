"""Every form renders through one renderer and one field template (mentorship.forms.FormRenderer)."""

import re
from pathlib import Path

from django import forms
from django.conf import settings

from mentorship.forms import FormRenderer

ROOT = Path(settings.BASE_DIR)
TEMPLATE_FILES = sorted(
    path
    for pattern in ("templates/**/*.html", "*/templates/**/*.html")
    for path in ROOT.glob(pattern)
    if ".venv" not in path.parts and "node_modules" not in path.parts
)
FIELD_TEMPLATE = ROOT / "templates" / FormRenderer.field_template_name
FORM_TEMPLATE = ROOT / "templates" / FormRenderer.form_template_name
MARKER = '<span aria-hidden="true" class="text-red-600">*</span>'


def test_the_templates_are_found():
    assert FIELD_TEMPLATE in TEMPLATE_FILES and FORM_TEMPLATE in TEMPLATE_FILES and len(TEMPLATE_FILES) > 100


def test_no_template_includes_a_field_template_of_its_own():
    """Fields render through the renderer ({{ field.as_field_group }}, {{ form }}), never an included copy of the
    field template (or of its help and errors); the renderer's two templates are the only ones of their name."""
    include = re.compile(r"""\{%\s*include\s+["'](?:[^"']*/)?_(field|fields|help|errors)\.html["']""")
    assert [str(path.relative_to(ROOT)) for path in TEMPLATE_FILES if include.search(path.read_text())] == []
    named = [path for path in TEMPLATE_FILES if re.fullmatch(r"_(field|fields|help|errors)\.html", path.name)]
    assert named == [FIELD_TEMPLATE, FORM_TEMPLATE]


def test_only_the_field_template_styles_widgets():
    """The styled filter (the widgets' Tailwind classes) is the field template's alone."""
    styled = re.compile(r"\|\s*styled\b")
    offenders = [str(path.relative_to(ROOT)) for path in TEMPLATE_FILES if styled.search(path.read_text())]
    assert offenders == [str(FIELD_TEMPLATE.relative_to(ROOT))]


class _SampleForm(forms.Form):
    name = forms.CharField(label="Name", help_text="As on your ID.")
    agree = forms.BooleanField(label="I agree")
    news = forms.BooleanField(label="News", required=False)
    level = forms.ChoiceField(label="Level", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    topics = forms.MultipleChoiceField(
        label="Topics", choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple, required=False
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def test_a_field_group_has_its_label_marker_help_and_errors_linked_to_the_control():
    form = _SampleForm({"name": "", "news": "on"})
    html = form.render()
    assert form.renderer.__class__ is FormRenderer

    # A text field: label with the required marker, control described by its help and its error, marked invalid.
    # (The marker sits outside the label, so the label's text is the field's name.)
    assert f'<div class="text-sm font-medium text-slate-800"><label for="id_name">Name</label> {MARKER}</div>' in html
    control = re.search(r"<input[^>]*\bid=\"id_name\"[^>]*>", html).group()
    assert 'aria-invalid="true"' in control and 'aria-describedby="id_name_helptext id_name_error"' in control
    assert 'id="id_name_helptext"' in html and re.search(r'id="id_name_error"><li>This field is required.', html)

    # A checkbox comes before its label; the required one is marked, the optional one is not.
    assert re.search(
        r'<input type="checkbox" name="agree"[^>]*>\s*<div[^>]*><label for="id_agree">I agree</label> '
        + re.escape(MARKER),
        html,
    )
    assert '<label for="id_news">News</label></div>' in html

    # Choices: a fieldset whose legend carries the marker and which is described by the error.
    assert re.search(r'<fieldset aria-describedby="id_level_error">\s*<legend[^>]*>Level ' + re.escape(MARKER), html)
    assert re.search(r"<legend[^>]*>Topics</legend>", html)

    # The hidden field: just the input, after the visible ones, with no label.
    assert html.rstrip().endswith('<input type="hidden" name="token" id="id_token">')
    assert 'for="id_token"' not in html


def test_an_unbound_form_is_not_marked_invalid():
    html = _SampleForm().render()
    assert "aria-invalid" not in html and "_error" not in html
    assert 'aria-describedby="id_name_helptext"' in html
