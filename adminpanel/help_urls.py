from django.urls import path

from adminpanel import help_views

app_name = "help"

urlpatterns = [
    path("", help_views.help_centre, name="centre"),
    path("contact/", help_views.contact, name="contact"),
    path("tickets/", help_views.my_tickets, name="tickets"),
    path("tickets/new/", help_views.ticket_new, name="ticket_new"),
    path("tickets/<uuid:ticket_uuid>/", help_views.ticket, name="ticket"),
    path("attachments/<int:attachment_id>/", help_views.attachment, name="attachment"),
    path("emergency/<int:session_id>/", help_views.emergency, name="emergency"),
    path("account/", help_views.account_status, name="account_status"),
    path("feedback/", help_views.feedback, name="feedback"),
    path("report/", help_views.report, name="report"),
    path("quality/<int:review_id>/acknowledge/", help_views.quality_acknowledge, name="quality_acknowledge"),
]
