from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in as allauth_user_logged_in
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from accounts.privacy import audit, deletion, parts, registry, sessions
        from accounts.roles import ensure_role_groups
        from accounts.sites import site_sync

        user_logged_in.connect(audit.on_user_logged_in, dispatch_uid="accounts.audit_sign_in")
        user_logged_out.connect(audit.on_user_logged_out, dispatch_uid="accounts.audit_sign_out")
        registry.register_exporter("account", parts.export_account)
        # allauth.usersessions (earlier in INSTALLED_APPS) records the new session first; then the cap applies.
        allauth_user_logged_in.connect(sessions.user_sessions_enforce_cap, dispatch_uid="accounts.session_cap")
        user_logged_in.connect(sessions.on_user_logged_in, dispatch_uid="accounts.session_seen")
        # The account row is erased last: the other apps' erasers still need its name to find it in their text.
        registry.register_eraser("account", deletion.erase_account, order=90)
        user_logged_in.connect(deletion.on_user_logged_in, dispatch_uid="accounts.deletion_cancel_on_sign_in")

        # Permissions exist only after migrate has run, and each app's only after its own post_migrate: sync the
        # role groups after every app's (idempotent), so the last one sees the permissions of apps after accounts.
        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
        post_migrate.connect(site_sync, sender=self, dispatch_uid="accounts.site_sync")
