"""The transactional outbox: side effects (refunds, notices, emails) that a use case owes are rows written in its own
transaction, delivered by Celery after commit and, whatever the broker did meanwhile, by a periodic sweep.

- ``outbox.services.enqueue(task, *args)`` inside (or outside) a transaction: never raises on a broker outage.
- ``outbox.services.effect_once(name)`` around an effect outside the database (an email): a redelivered message
  skips what it already did.
"""
