"""WebSocket routes; every app that owns a consumer adds its patterns here."""

from django.urls import path

from accounts.consumers import NotificationConsumer
from sessions_app.room.consumer import RoomConsumer

websocket_urlpatterns: list = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/sessions/<int:session_id>/", RoomConsumer.as_asgi()),
]
