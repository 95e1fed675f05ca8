"""WebSocket routes; every app that owns a consumer adds its patterns here."""

websocket_urlpatterns: list = []
