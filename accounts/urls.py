from django.urls import path

from accounts import privacy_views, views
from accounts.notifications import views as notification_views

app_name = "accounts"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/<slug:step>/", views.onboarding_step, name="onboarding_step"),
    path("profile/phone/", views.phone_change, name="phone_change"),
    path("profile/phone/verify/", privacy_views.phone_verify, name="phone_verify"),
    path("profile/<slug:section>/edit/", views.profile_edit, name="profile_edit"),
    path("guardian/", views.guardian, name="guardian"),
    path("guardian/resend/", views.guardian_resend, name="guardian_resend"),
    path("guardian-consent/<str:token>/", views.guardian_consent, name="guardian_consent"),
    path("notifications/", notification_views.inbox, name="notifications"),
    path("notifications/preferences/", notification_views.notification_preferences, name="notification_preferences"),
    path("notifications/count/", notification_views.notification_count, name="notification_count"),
    path("notifications/read-all/", notification_views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/read/", notification_views.notification_read, name="notification_read"),
    path(
        "notifications/<int:notification_id>/archive/",
        notification_views.notification_archive,
        name="notification_archive",
    ),
    path("privacy/", privacy_views.privacy_settings, name="privacy"),
    path("privacy/marketing/", privacy_views.marketing_consent, name="marketing_consent"),
    path("legal/terms/", privacy_views.terms, name="terms"),
    path("legal/privacy-policy/", privacy_views.privacy_policy, name="privacy_policy"),
    path("privacy/export/", privacy_views.data_export_request, name="data_export_request"),
    path("privacy/export/<str:token>/", privacy_views.data_export_download, name="data_export_download"),
    path("privacy/delete/", privacy_views.account_delete, name="account_delete"),
    path("privacy/delete/cancel/", privacy_views.account_deletion_cancel, name="account_deletion_cancel"),
]
