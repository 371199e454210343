from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "relata.loyalty"
    label = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        # Event kinds, client-merge relation, navigation, the client card's panel and the
        # order-paid hook (points are earned when an order is paid in full).
        from relata.loyalty import registrations  # noqa: F401
