from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "relata.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Framework hooks (log-in/log-out events), job handlers, navigation entries.
        from relata.core import db, navigation, signals  # noqa: F401
        from relata.core.services import handover  # noqa: F401  (registers its job)
