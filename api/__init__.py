"""The JSON API's shared machinery: error envelope, authentication, cursor pagination, rate limits, idempotency.

The API itself is built in `mentorship/api.py` from one router per app (`<app>/api.py`).
"""
