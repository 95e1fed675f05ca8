from django.urls import path
from django.views.generic import RedirectView

from mentors import views

app_name = "mentors"

urlpatterns = [
    path("become-a-mentor/", views.apply, name="apply"),
    path("mentor-dashboard/", views.dashboard, name="dashboard"),
    path("mentor-dashboard/profile/", views.profile_edit, name="profile_edit"),
    path("mentor-dashboard/profile/address/", views.profile_address, name="profile_address"),
    path("mentor-dashboard/photo/", views.photo, name="photo"),
    path("mentor-dashboard/availability/", views.availability, name="availability"),
    path("mentor-dashboard/availability/rules/", views.availability_rule_add, name="availability_rule_add"),
    path(
        "mentor-dashboard/availability/rules/<int:rule_id>/delete/",
        views.availability_rule_delete,
        name="availability_rule_delete",
    ),
    path("mentor-dashboard/availability/overrides/", views.availability_override_add, name="availability_override_add"),
    path(
        "mentor-dashboard/availability/overrides/<int:override_id>/delete/",
        views.availability_override_delete,
        name="availability_override_delete",
    ),
    path("mentor-dashboard/availability/settings/", views.availability_settings, name="availability_settings"),
    # Payout details moved to payments; old links and bookmarks still land there.
    path(
        "mentor-dashboard/payout-details/",
        RedirectView.as_view(pattern_name="payments:payout_details"),
        name="payout_details",
    ),
    path("mentor/<slug:slug>/", views.profile, name="profile"),
]
