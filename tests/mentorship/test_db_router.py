"""`mentorship.db_router.ReplicaRouter`: which reads may go to a streaming replica (tests/mentorship/
test_read_replica.py runs it against a real one)."""

import pytest
from django.db import transaction

from accounts.models import Language, User
from matching.models import MentorSearchDocument, SearchTerm
from mentors.models import MentorProfile
from mentorship.db_router import REPLICA, ReplicaRouter

router = ReplicaRouter()


def test_discovery_catalogue_reads_go_to_the_replica():
    for model in (MentorSearchDocument, SearchTerm, Language):
        assert router.db_for_read(model) == REPLICA


def test_reads_of_everything_else_stay_on_the_primary():
    for model in (User, MentorProfile):
        assert router.db_for_read(model) is None


@pytest.mark.django_db
def test_reads_inside_a_transaction_see_its_own_writes_on_the_primary():
    # The test itself runs inside a transaction (pytest-django's), as a use case inside transaction.atomic would.
    with transaction.atomic():
        assert router.db_for_read(MentorSearchDocument) is None


def test_writes_and_migrations_only_touch_the_primary():
    assert router.db_for_write(MentorSearchDocument) == "default"
    assert router.allow_migrate("default", "matching")
    assert not router.allow_migrate(REPLICA, "matching")
