from django.urls import include, path
from django.views.generic import RedirectView

from sessions_app import views

app_name = "sessions_app"

urlpatterns = [
    # 1:1 booking starts on the mentor's public profile (/mentor/<slug>/).
    path("mentor/<slug:slug>/book/", views.book, name="book"),
    path("bookings/<uuid:booking_uuid>/", views.booking_detail, name="booking_detail"),
    path("bookings/<uuid:booking_uuid>/pay/", views.booking_pay, name="booking_pay"),
    path("bookings/<uuid:booking_uuid>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<uuid:booking_uuid>/reschedule/", views.booking_reschedule, name="booking_reschedule"),
    path("bookings/<uuid:booking_uuid>/calendar.ics", views.booking_ics, name="booking_ics"),
    path("bookings/<uuid:booking_uuid>/report/", views.booking_dispute, name="booking_dispute"),
    path("bookings/<uuid:booking_uuid>/no-show/", views.booking_no_show, name="booking_no_show"),
    path("my/sessions/", views.my_sessions, name="my_sessions"),
    path("my/notifications/", RedirectView.as_view(pattern_name="accounts:notifications"), name="notifications"),
    path("my/calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("sessions/group/", views.group_list, name="group_list"),
    path("sessions/group/<uuid:session_uuid>/", views.group_detail, name="group_detail"),
    path("sessions/group/<uuid:session_uuid>/book/", views.group_book, name="group_book"),
    path("sessions/group/<uuid:session_uuid>/waitlist/", views.group_waitlist, name="group_waitlist"),
    path("mentor-dashboard/bookings/", views.mentor_bookings, name="mentor_bookings"),
    path("mentor-dashboard/group-sessions/", views.mentor_group_sessions, name="mentor_group_sessions"),
    path("mentor-dashboard/group-sessions/new/", views.group_create, name="group_create"),
    path("mentor-dashboard/sessions/<uuid:session_uuid>/", views.hosted_session, name="hosted_session"),
    path("mentor-dashboard/sessions/<uuid:session_uuid>/edit/", views.group_edit, name="group_edit"),
    path("mentor-dashboard/sessions/<uuid:session_uuid>/publish/", views.group_publish, name="group_publish"),
    path("mentor-dashboard/sessions/<uuid:session_uuid>/cancel/", views.group_cancel, name="group_cancel"),
    path("mentor-dashboard/sessions/<uuid:session_uuid>/complete/", views.session_complete, name="session_complete"),
    path("", include("sessions_app.room.urls")),
]
