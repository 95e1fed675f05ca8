from django.urls import path

from adminpanel import privacy_views, views

app_name = "adminpanel"

urlpatterns = [
    path("", views.home, name="home"),
    path("verification/", views.verification_queue, name="verification_queue"),
    path("verification/<int:mentor_id>/", views.application, name="application"),
    path("verification/<int:mentor_id>/action/", views.application_action, name="application_action"),
    path("documents/<str:token>/", views.document, name="document"),
    path("audit/", privacy_views.audit_log, name="audit_log"),
    path("deletions/", privacy_views.pending_deletions, name="pending_deletions"),
]
