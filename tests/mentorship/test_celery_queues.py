"""Celery queues per kind of work: every task has a queue some worker consumes, each kind lands in its own, and the
outbox relays owed work in the queue of the task it owes."""

import json

import pytest
import redis
import yaml
from celery import current_app
from django.conf import settings

from accounts import tasks as account_tasks
from adminpanel import tasks as admin_tasks
from matching import tasks as matching_tasks
from mentors import tasks as mentor_tasks
from mentorship.celery import queue_for
from mentorship.launcher import WORKER_ARGS
from outbox import tasks as outbox_tasks
from outbox.models import OutboxMessage
from outbox.services import enqueue, outbox_sweep
from payments import tasks as payment_tasks
from sessions_app import tasks as session_tasks
from tests.factories import BookingFactory

QUEUES = set(settings.CELERY_QUEUE_NAMES)
# By function, not by name: tasks may be renamed, each must stay in its kind's queue.
KINDS = {
    "notices": [
        session_tasks.notify_booking, session_tasks.notify_dispute, session_tasks.notify_hosted_session,
        session_tasks.send_due_reminders, mentor_tasks.send_application_received_email,
        mentor_tasks.send_verification_update_email, account_tasks.send_guardian_consent_request,
        account_tasks.send_guardian_consent_granted, admin_tasks.notify_ticket, admin_tasks.notify_account_action,
        admin_tasks.notify_quality_review,
    ],
    "payments": [
        session_tasks.refund_booking, payment_tasks.capture_authorized_payment, payment_tasks.pay_out_mentors,
        payment_tasks.reconcile_payments, payment_tasks.reconcile_payouts, payment_tasks.render_invoice_pdf,
    ],
    "precompute": [
        matching_tasks.precompute_recommendations, matching_tasks.refresh_recommendations,
        matching_tasks.refresh_recommendations_for_mentor, admin_tasks.rollup_analytics,
        session_tasks.refresh_mentor_stats, account_tasks.build_data_export,
    ],
    "default": [outbox_tasks.sweep, session_tasks.expire_holds, session_tasks.auto_complete_sessions],
}  # fmt: skip


def _project_tasks() -> list[str]:
    current_app.loader.import_default_modules()
    return sorted(name for name in current_app.tasks if not name.startswith("celery."))


def test_every_project_task_is_routed_to_a_declared_queue():
    names = _project_tasks()
    assert len(names) > 30
    for name in names:
        assert queue_for(name) in QUEUES, name


def test_each_kind_of_work_has_its_own_queue():
    for queue, tasks in KINDS.items():
        for task in tasks:
            assert queue_for(task.name) == queue, task.name


def test_a_renamed_task_stays_in_its_kind():
    # The routes are name patterns, not a list of today's names.
    assert queue_for("payments.refund_capture") == "payments"
    assert queue_for("sessions.booking_refund") == "payments"
    assert queue_for("sessions.booking_notify") == "notices"
    assert queue_for("matching.recommendations_precompute") == "precompute"
    assert queue_for("accounts.something_new") == "default"


def test_the_workers_consume_every_queue():
    # A worker without -Q (make run's, the fault-injection suite's) consumes every declared queue.
    assert set(current_app.amqp.queues) == QUEUES
    assert "-Q" not in WORKER_ARGS and "--queues" not in WORKER_ARGS
    # The deployment's workers split the queues between them and leave none out.
    services = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())["services"]
    consumed: list[str] = []
    for service in services.values():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "mentorship", "worker"]:
            assert "-Q" in command, command
            consumed += command[command.index("-Q") + 1].split(",")
    assert sorted(consumed) == sorted(QUEUES)


@pytest.fixture
def broker():
    """The real Redis broker with eager mode off: published tasks stay in their queue's list."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(*QUEUES)
    current_app.conf.task_always_eager = False
    yield client
    current_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    client.delete(*QUEUES)


def _queued(client: redis.Redis, queue: str) -> list[tuple[str, str]]:
    messages = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
    return [(message["headers"]["task"], message["headers"]["argsrepr"]) for message in messages]


@pytest.mark.django_db
def test_the_outbox_relays_owed_work_in_the_queue_of_the_task_it_owes(broker, django_capture_on_commit_callbacks):
    booking = BookingFactory()
    with django_capture_on_commit_callbacks(execute=True):
        refund = enqueue(session_tasks.refund_booking, booking.pk)
        notice = enqueue(session_tasks.notify_booking, booking.pk, "confirmed")

    assert _queued(broker, "payments") == [("outbox.deliver", f"({refund.pk},)")]
    assert _queued(broker, "notices") == [("outbox.deliver", f"({notice.pk},)")]
    assert _queued(broker, "default") == []

    # Published, then Redis lost them: the sweep publishes them again, each to its own queue.
    broker.delete(*QUEUES)
    OutboxMessage.objects.update(dispatched_at=None)
    assert outbox_sweep() == 2
    assert _queued(broker, "payments") == [("outbox.deliver", f"({refund.pk},)")]
    assert _queued(broker, "notices") == [("outbox.deliver", f"({notice.pk},)")]
