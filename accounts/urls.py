from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/<slug:step>/", views.onboarding_step, name="onboarding_step"),
    path("profile/phone/", views.phone_change, name="phone_change"),
    path("profile/<slug:section>/edit/", views.profile_edit, name="profile_edit"),
    path("guardian/", views.guardian, name="guardian"),
    path("guardian/resend/", views.guardian_resend, name="guardian_resend"),
    path("guardian-consent/<str:token>/", views.guardian_consent, name="guardian_consent"),
]
