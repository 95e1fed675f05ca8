from celery import shared_task

from api import services


@shared_task(name="api.prune_idempotency_records")
def prune_idempotency_records() -> int:
    return services.idempotency_records_prune()
