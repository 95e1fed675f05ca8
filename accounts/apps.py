from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts.roles import ensure_role_groups
        from accounts.sites import site_sync

        # Permissions exist only after migrate has run, and each app's only after its own post_migrate: sync the
        # role groups after every app's (idempotent), so the last one sees the permissions of apps after accounts.
        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
        post_migrate.connect(site_sync, sender=self, dispatch_uid="accounts.site_sync")
