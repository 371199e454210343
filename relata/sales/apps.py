from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "relata.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        # Navigation, timeline sources, hand-over and merge relations, event kinds, demo.
        from relata.sales import registrations  # noqa: F401
