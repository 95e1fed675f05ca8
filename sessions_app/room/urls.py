"""URLs of the live room and what follows a session (included, without a namespace of its own, by
``sessions_app.urls``, so the names are ``sessions_app:<name>``)."""

from django.urls import path

from sessions_app.room import views as room_views

urlpatterns = [
    path("sessions/<int:session_id>/room/", room_views.room, name="room"),
    path("sessions/<int:session_id>/room/consent/", room_views.room_consent, name="room_consent"),
    path("sessions/<int:session_id>/room/tip/", room_views.tip_start, name="tip"),
    path("tips/<int:tip_id>/", room_views.tip_done, name="tip_done"),
    path(
        "sessions/<int:session_id>/recordings/<int:recording_id>/chunks/<int:sequence>/",
        room_views.recording_chunk,
        name="recording_chunk",
    ),
    path("recordings/<int:recording_id>/", room_views.recording_play, name="recording_play"),
    path("sessions/<int:session_id>/after/", room_views.after_session, name="after_session"),
    path("sessions/<int:session_id>/notes/", room_views.note_add, name="note_add"),
    path("sessions/<int:session_id>/notes/<int:note_id>/delete/", room_views.note_delete, name="note_delete"),
    path("sessions/<int:session_id>/tasks/", room_views.task_add, name="task_add"),
    path("sessions/<int:session_id>/tasks/<int:task_id>/delete/", room_views.task_delete, name="task_delete"),
    path("sessions/<int:session_id>/milestones/", room_views.milestone_add_for_student, name="milestone_add"),
    path("sessions/<int:session_id>/bundle/", room_views.session_bundle, name="session_bundle"),
    path("tasks/<int:task_id>/done/", room_views.task_toggle, name="task_toggle"),
    path("bookings/<uuid:booking_uuid>/review/", room_views.review, name="review"),
    path("progress/", room_views.progress, name="progress"),
]
