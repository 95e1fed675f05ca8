"""Roles are groups with permissions; the User.role field says which group a user belongs to."""

from django.apps import apps as global_apps
from django.db.models import Q

# app_label -> permission codenames ("view", "change", ...) on all of that app's models
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "student": {},
    "mentor": {},
    "support": {
        "accounts": ("view",),
        "mentors": ("view", "change"),
        "sessions_app": ("view", "change"),
        "payments": ("view",),
    },
    "admin": {
        "accounts": ("view", "add", "change"),
        "mentors": ("view", "add", "change", "delete"),
        "sessions_app": ("view", "add", "change", "delete"),
        "payments": ("view", "change"),
        "matching": ("view", "change"),
    },
}

# Models a role never sees even where its app is granted: support handles tickets, not money or identity papers.
ROLE_EXCLUDED_MODELS: dict[str, tuple[str, ...]] = {
    "support": ("mentorpayoutdetails", "verificationdocument", "payout"),
}


def ensure_role_groups(apps=global_apps, **kwargs: object) -> None:
    """Create one group per role and give it its permissions; safe to run after every migrate."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        query = Q(pk__in=[])
        for app_label, actions in grants.items():
            for action in actions:
                query |= Q(content_type__app_label=app_label, codename__startswith=f"{action}_")
        excluded = ROLE_EXCLUDED_MODELS.get(role, ())
        group.permissions.set(Permission.objects.filter(query).exclude(content_type__model__in=excluded))
