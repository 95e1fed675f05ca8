"""Periodic jobs of the room: the mentor no-show refund and the deletion of expired recordings.

Registered with Celery when ``sessions_app.room.setup.connect_room`` imports this module.
"""

from celery import shared_task

from sessions_app.privacy import chat_retention_purge
from sessions_app.room.recording import recordings_delete_expired
from sessions_app.room.services import mentor_no_shows_process


@shared_task(name="sessions_app.process_mentor_no_shows")
def process_mentor_no_shows() -> int:
    return mentor_no_shows_process()


@shared_task(name="sessions_app.delete_expired_recordings")
def delete_expired_recordings() -> int:
    return recordings_delete_expired()


@shared_task(name="sessions_app.delete_old_chat")
def delete_old_chat() -> int:
    return chat_retention_purge()
