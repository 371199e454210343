from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "relata.clients"
    label = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        # Navigation, search, hand-over kinds, event kinds, job handlers, demo data.
        from relata.clients import registrations  # noqa: F401
        from relata.clients.selectors import search  # noqa: F401  (SQLite functions on new connections)
