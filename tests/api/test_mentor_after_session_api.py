"""Request tests of the mentor's after-session endpoints: notes, follow-up tasks and milestones written through the
same forms and services as the after-session page; the session's students, other mentors and visitors are refused."""

import datetime as dt

import pytest

from sessions_app.models import FollowUpTask, MentorNote, ProgressMilestone
from tests.factories import BookingFactory, GroupSessionFactory, MentorProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hosted():
    session = GroupSessionFactory()
    booking = BookingFactory(session=session, status="completed")
    return session, booking.student


def test_the_mentor_writes_notes_tasks_and_a_milestone_and_the_student_sees_them(api_for, hosted):
    session, student = hosted
    api = api_for(session.mentor)
    base = f"/mentor/sessions/{session.uuid}"
    shared = api.post(f"{base}/notes", {"body": "Revise chapter 4 before Friday.", "is_shared": True})
    private = api.post(f"{base}/notes", {"body": "Needs confidence with vectors."})
    assert shared.status_code == private.status_code == 201, shared.content
    due = (session.starts_at + dt.timedelta(days=7)).date().isoformat()
    task = api.post(f"{base}/tasks", {"student_id": student.pk, "title": "Ten friction problems", "due_on": due})
    assert task.status_code == 201, task.content
    assert task.json()["student"]["id"] == student.pk and task.json()["due_on"] == due
    milestone = api.post(f"{base}/milestones", {"student_id": student.pk, "kind": "exam", "title": "Mock test 72%",
                                                "next_steps": ["Rotational motion", " "]})  # fmt: skip
    assert milestone.status_code == 201, milestone.content
    assert milestone.json()["next_steps"] == ["Rotational motion"] and milestone.json()["mentor_name"]

    after = api.get(f"{base}/after").json()
    assert [s["id"] for s in after["students"]] == [student.pk]
    assert len(after["notes"]) == 2 and [t["title"] for t in after["tasks"]] == ["Ten friction problems"]

    booking = student.bookings.get()
    seen = api_for(student).get(f"/bookings/{booking.uuid}/notes").json()
    assert [n["body"] for n in seen["notes"]] == ["Revise chapter 4 before Friday."]
    assert [t["title"] for t in seen["tasks"]] == ["Ten friction problems"]
    assert ProgressMilestone.objects.get().student == student

    assert api.delete(f"{base}/notes/{private.json()['id']}").json() == {"deleted": True}
    assert api.delete(f"{base}/tasks/{task.json()['id']}").json() == {"deleted": True}
    assert MentorNote.objects.count() == 1 and not FollowUpTask.objects.exists()
    assert api.delete(f"{base}/tasks/{task.json()['id']}").status_code == 404


def test_invalid_values_are_422_with_the_fields_named(api_for, hosted):
    session, student = hosted
    api = api_for(session.mentor)
    base = f"/mentor/sessions/{session.uuid}"
    empty = api.post(f"{base}/notes", {"body": "   "})
    assert empty.status_code == 422 and "body" in empty.json()["error"]["fields"]
    outsider = MentorProfileFactory().user
    wrong_student = api.post(f"{base}/tasks", {"student_id": outsider.pk, "title": "Read"})
    assert wrong_student.status_code == 422 and "student" in wrong_student.json()["error"]["fields"]
    early = (session.starts_at - dt.timedelta(days=3)).date().isoformat()
    too_early = api.post(f"{base}/tasks", {"student_id": student.pk, "title": "Read", "due_on": early})
    assert too_early.status_code == 422 and "due_on" in too_early.json()["error"]["fields"]
    kind = api.post(f"{base}/milestones", {"student_id": student.pk, "kind": "trophy", "title": "Won"})
    assert kind.status_code == 422 and "kind" in kind.json()["error"]["fields"]
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    later = api.post(f"{base}/milestones", {"student_id": student.pk, "kind": "exam", "title": "Won",
                                            "achieved_on": future})  # fmt: skip
    assert later.status_code == 422 and "achieved_on" in later.json()["error"]["fields"]
    assert not MentorNote.objects.exists() and not FollowUpTask.objects.exists()
    assert not ProgressMilestone.objects.exists()


def test_students_other_mentors_and_visitors_are_refused(api_for, hosted):
    session, student = hosted
    base = f"/mentor/sessions/{session.uuid}"
    note = MentorNote.objects.create(session=session, author=session.mentor, body="Private", is_shared=False)
    as_student = api_for(student)
    assert as_student.get(f"{base}/after").status_code == 403
    assert as_student.post(f"{base}/notes", {"body": "Mine"}).json()["error"]["code"] == "forbidden"
    as_other = api_for(MentorProfileFactory().user)
    assert as_other.get(f"{base}/after").status_code == 404
    assert as_other.delete(f"{base}/notes/{note.pk}").status_code == 404
    assert as_other.post(f"{base}/milestones", {"student_id": student.pk, "kind": "exam",
                                                 "title": "Won"}).status_code == 404  # fmt: skip
    visitor = api_for(None)
    assert visitor.get(f"{base}/after").status_code == 401
    assert visitor.post(f"{base}/tasks", {"student_id": student.pk, "title": "Read"}).status_code == 401
    assert MentorNote.objects.count() == 1 and not ProgressMilestone.objects.exists()


def test_after_session_runs_bounded_queries(api_for, django_assert_max_num_queries):
    session = GroupSessionFactory()
    for _ in range(5):
        booking = BookingFactory(session=session)
        FollowUpTask.objects.create(session=session, student=booking.student, created_by=session.mentor, title="Read")
        MentorNote.objects.create(session=session, author=session.mentor, body="Note", is_shared=True)
    api = api_for(session.mentor)
    with django_assert_max_num_queries(14):
        response = api.get(f"/mentor/sessions/{session.uuid}/after")
    assert len(response.json()["tasks"]) == 5 and len(response.json()["students"]) == 5
