"""Celery task names follow one scheme: "<app>.<function>", set explicitly, so moving a module renames nothing.

Outbox rows and the beat schedule store task names; a name that silently followed a module move would leave
stored messages and schedule entries pointing at nothing.
"""

import re

from django.conf import settings

from mentorship.celery import app
from outbox.services import RENAMED_TASKS

PROJECT_APPS = (
    "accounts",
    "mentors",
    "sessions_app",
    "matching",
    "payments",
    "adminpanel",
    "outbox",
    "mentorship",
    "api",
)
NAME = re.compile(r"^(?P<app>[a-z_]+)\.(?P<function>[a-z]+(?:_[a-z0-9]+)*)$")


def _project_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if task.run.__module__.split(".")[0] in PROJECT_APPS}


def test_every_project_task_is_named_app_dot_function():
    tasks = _project_tasks()
    assert len(tasks) > 30  # autodiscovery found the apps' task modules
    wrong = {}
    for name, task in tasks.items():
        expected = f"{task.run.__module__.split('.')[0]}.{task.run.__name__}"
        if name != expected or not NAME.match(name):
            wrong[name] = expected
    assert wrong == {}


def test_the_beat_schedule_names_registered_tasks():
    tasks = _project_tasks()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(tasks) == set()


def test_old_task_names_of_stored_outbox_messages_lead_to_registered_tasks():
    tasks = _project_tasks()
    assert set(RENAMED_TASKS.values()) - set(tasks) == set()
    assert set(RENAMED_TASKS) & set(tasks) == set()
