"""The notification inbox and preferences through /api/v1/notifications (the accounts inbox)."""

import pytest

from accounts.notifications.services import notification_raise

pytestmark = pytest.mark.django_db


def support_reply(user, ticket: int = 7):
    return notification_raise(
        recipient=user, kind="support.reply", params={"ticket": ticket, "subject": "Refund", "reply": "Done."},
        link="/help/tickets/x/", dedupe_key=f"reply-{ticket}",
    )  # fmt: skip


def test_the_inbox_is_mine_paginated_and_marked_read(api_for, student, other_student):
    for ticket in range(3):
        support_reply(student, ticket)
    api = api_for(student)
    first = api.get("/notifications", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["unread_count"] == 3 and first["items"][0]["title"]
    rest = api.get("/notifications", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    newest = first["items"][0]["id"]
    assert api_for(other_student).post(f"/notifications/{newest}/read").status_code == 404
    assert api.post(f"/notifications/{newest}/read").json()["read"] is True
    assert api.get("/notifications").json()["unread_count"] == 2
    assert api.post("/notifications/read-all").json() == {"marked": 2}
    assert api.post(f"/notifications/{newest}/archive").json()["archived"] is True
    assert [n["id"] for n in api.get("/notifications", {"archived": True}).json()["items"]] == [newest]


def test_preferences_follow_the_sites_rules(api_for, student):
    api = api_for(student)
    prefs = api.get("/notifications/preferences").json()
    assert prefs["categories"]["sessions"] == {"in_app": True, "email": True, "sms": False}
    response = api.put("/notifications/preferences", {"categories": {"support": {"in_app": True, "email": False}}})
    assert response.status_code == 200
    assert response.json()["categories"]["support"]["email"] is False
    half = api.put("/notifications/preferences", {"categories": {}, "quiet_start": "22:00"})
    assert half.status_code == 422
    sms = api.put("/notifications/preferences", {"categories": {"support": {"sms": True}}})
    assert sms.status_code == 422  # no phone number yet
    assert api.put("/notifications/preferences", {"categories": {"nope": {}}}).status_code == 422
