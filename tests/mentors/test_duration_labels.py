from django.utils import translation

from mentors.forms import DURATION_CHOICES
from sessions_app.forms import GroupSessionForm


def test_duration_labels_follow_the_language_of_the_page():
    with translation.override("en"):
        english = str(dict(DURATION_CHOICES)[30])
    with translation.override("hi"):
        hindi = str(dict(DURATION_CHOICES)[30])
    assert english == "30 minutes" and hindi != english and "30" in hindi


def test_group_session_lengths_follow_the_language_of_the_page():
    choices = GroupSessionForm.base_fields["duration_minutes"].choices
    with translation.override("te"):
        telugu = str(dict(choices)[60])
    assert telugu != "60 minutes" and "60" in telugu
