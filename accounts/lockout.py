"""django-axes glue: lock the account whatever name the login arrives under."""


def lockout_username(request: object, credentials: dict | None = None) -> str | None:
    """allauth authenticates with `email=` while its form posts `login`; axes sees either, so read both."""
    values = credentials or {}
    username = values.get("email") or values.get("username") or values.get("login")
    if not username and request is not None:
        data = getattr(request, "POST", {})
        username = data.get("login") or data.get("email")
    return str(username).strip().lower() if username else None


def client_ip(request: object) -> str | None:
    """The client's address for the lockout log, read exactly as allauth's rate limits read it (behind nginx,
    from the header settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER names, never from the proxy's own address)."""
    from allauth.core.internal.httpkit import get_client_ip

    return get_client_ip(request)
