import datetime as dt

from django.conf import settings
from django.utils import timezone

from api.models import IdempotencyRecord


def idempotency_records_prune(*, now: dt.datetime | None = None) -> int:
    """Forget stored Idempotency-Key answers older than API_IDEMPOTENCY_DAYS (clients retry within minutes)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.API_IDEMPOTENCY_DAYS)
    deleted, _counts = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
