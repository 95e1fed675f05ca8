"""Services owe tasks by name (``sessions_app.task_names``): each name must be a task Celery knows."""

from celery import current_app

from sessions_app import task_names


def test_every_task_name_services_enqueue_is_registered_when_the_app_starts():
    # No import of sessions_app.tasks here: the app registers them in ready(), in every process (web, tests).
    names = [value for key, value in vars(task_names).items() if key.isupper()]
    assert len(names) == 7
    missing = [name for name in names if name not in current_app.tasks]
    assert missing == []
