import io

import pytest

from sessions_app import demo
from sessions_app.models import Booking, Session
from tests.factories import language

pytestmark = pytest.mark.django_db


def test_demo_sessions_are_seeded_once():
    from accounts import demo as accounts_demo
    from accounts.languages import INITIAL_LANGUAGES
    from mentors import demo as mentors_demo

    for code, *_rest in INITIAL_LANGUAGES:
        language(code)  # a transactional test may have flushed the migration's rows
    out = io.StringIO()
    accounts_demo.seed(stdout=out)
    mentors_demo.seed(stdout=out)
    demo.seed(stdout=out)
    counts = (Session.objects.count(), Booking.objects.count())

    demo.seed(stdout=out)

    assert (Session.objects.count(), Booking.objects.count()) == counts
    assert Session.objects.filter(kind="group", status="scheduled").count() == len(demo.GROUP_SESSIONS)
    college = Booking.objects.filter(student__email=f"student.college@{demo.DEMO_DOMAIN}")
    assert college.filter(status="confirmed", session__kind="one_to_one", payment__status="captured").count() == 1
    full = Session.objects.get(title="Your first machine learning project")
    assert full.bookings.filter(status="confirmed").count() == full.capacity
