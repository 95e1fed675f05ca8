"""The inbox moved to ``accounts`` (DESIGN §2): copy the stored notices there, then drop the old table.

Old rows carry text written in the language of their time: they become the ``accounts.notice`` kind, which shows
that stored text.
"""

from django.db import migrations

BATCH = 2000


def copy_to_accounts(apps, schema_editor):
    Old = apps.get_model("sessions_app", "Notification")
    New = apps.get_model("accounts", "Notification")
    rows = Old.objects.order_by("pk").iterator(chunk_size=BATCH)
    batch = []
    for old in rows:
        batch.append(
            New(
                recipient_id=old.user_id,
                kind="accounts.notice",
                category="account",
                priority="normal",
                params={"title": old.title, "body": old.body},
                link=old.url,
                created_at=old.created_at,
                read_at=old.read_at,
            )
        )
        if len(batch) >= BATCH:
            New.objects.bulk_create(batch)
            batch = []
    if batch:
        New.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    Old = apps.get_model("sessions_app", "Notification")
    New = apps.get_model("accounts", "Notification")
    Old.objects.bulk_create(
        Old(user_id=n.recipient_id, title=str(n.params.get("title", n.kind))[:200],
            body=str(n.params.get("body", ""))[:2000], url=n.link, read_at=n.read_at)
        for n in New.objects.filter(kind="accounts.notice").iterator(chunk_size=BATCH)
    )


class Migration(migrations.Migration):

    dependencies = [
        ("sessions_app", "0004_moderation_hidden_at"),
        ("accounts", "0010_notifications"),
    ]

    operations = [
        migrations.RunPython(copy_to_accounts, copy_back),
        migrations.DeleteModel(name="Notification"),
    ]
