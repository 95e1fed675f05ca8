from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import privacy_views
from mentorship import health, views
from mentorship.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/health/", health.app_health, name="health"),
    path("api/health/database/", health.database_health, name="health-database"),
    path("api/health/services/", health.services_health, name="health-services"),
    # Sign-up, sign-in, MFA, password reset and app tokens for mobile apps (allauth headless, "app" client).
    path("api/v1/auth/", include("allauth.headless.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Django admin's own login form asks for the password only; every sign-in goes through allauth (and its MFA).
    path("admin/login/", views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    # Before allauth's own: the same devices page, with the session cap in its context.
    path("accounts/sessions/", privacy_views.signed_in_devices, name="usersessions_list"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("mentors.urls")),
    path("", include("matching.urls")),
    path("", include("sessions_app.urls")),
    path("", include("payments.urls")),
    path("panel/", include("adminpanel.urls")),
    path("help/", include("adminpanel.help_urls")),
]

handler403 = "mentorship.views.permission_denied"
handler404 = "mentorship.views.page_not_found"
handler500 = "mentorship.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
