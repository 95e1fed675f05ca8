"""django-axes glue: lock the account whatever name the login arrives under."""


def lockout_username(request: object, credentials: dict | None = None) -> str | None:
    """allauth authenticates with `email=` while its form posts `login`; axes sees either, so read both."""
    values = credentials or {}
    username = values.get("email") or values.get("username") or values.get("login")
    if not username and request is not None:
        data = getattr(request, "POST", {})
        username = data.get("login") or data.get("email")
    return str(username).strip().lower() if username else None
