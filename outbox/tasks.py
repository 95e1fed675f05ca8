from celery import shared_task

from outbox import services


@shared_task(bind=True, name="outbox.deliver")
def deliver(self, message_id: int) -> str:
    return services.outbox_deliver(message_id=message_id, worker_task_id=self.request.id or "")


@shared_task(name="outbox.sweep")
def sweep() -> int:
    """Every 30 s (beat): publish outbox messages the broker never got or lost."""
    return services.outbox_sweep()
