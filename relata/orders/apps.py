from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "relata.orders"
    label = "orders"
    verbose_name = _("Orders and stock")

    def ready(self) -> None:
        # Event kinds and client-merge relations.
        from relata.orders import registrations  # noqa: F401
