"""URLs of messaging (included by ``sessions_app.urls`` without a namespace of its own: ``sessions_app:<name>``)."""

from django.urls import path

from sessions_app.messaging import views

urlpatterns = [
    path("messages/", views.inbox, name="message_inbox"),
    path("messages/<uuid:thread_uuid>/", views.thread, name="message_thread"),
    path("messages/<uuid:thread_uuid>/updates/", views.thread_updates, name="message_thread_updates"),
    path("messages/images/<int:message_id>/", views.message_image, name="message_image"),
    path("messages/students/<int:student_id>/", views.write_to_student, name="message_student"),
    # Asking starts on the mentor's public profile (/mentor/<slug>/).
    path("mentor/<slug:slug>/ask/", views.ask, name="message_ask"),
]
