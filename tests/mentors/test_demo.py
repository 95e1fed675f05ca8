import io

import pytest

from mentors import demo
from mentors.models import MentorProfile, VerificationStatus
from mentors.selectors import listed_mentors
from mentors.slots import next_open_slots

pytestmark = pytest.mark.django_db


def test_demo_mentors_are_seeded_once_across_languages_and_every_status():
    demo.seed(stdout=io.StringIO())
    first = list(MentorProfile.objects.order_by("slug").values_list("slug", "verification_status", "hourly_rate_paise"))
    output = io.StringIO()
    demo.seed(stdout=output)
    assert "(0 new)" in output.getvalue()
    assert (
        list(MentorProfile.objects.order_by("slug").values_list("slug", "verification_status", "hourly_rate_paise"))
        == first
    )

    assert listed_mentors().count() == len(demo.APPROVED) >= 30
    assert set(MentorProfile.objects.values_list("verification_status", flat=True)) == set(VerificationStatus.values)
    spoken = set(listed_mentors().values_list("user__primary_language__code", flat=True))
    assert {"hi", "en", "te", "ta", "bn", "mr"} <= spoken

    priya = MentorProfile.objects.select_related("user").get(slug="dr-priya-sharma")
    assert priya.user.email == "mentor.priya@demo.peerlearn.test" and priya.user.check_password("Demo@12345")
    assert priya.is_listed and next_open_slots(priya, 3)
    assert priya.verification_events.count() == 6
    rejected = MentorProfile.objects.get(verification_status=VerificationStatus.REJECTED)
    assert rejected.decision_reason and rejected.documents.exists()
