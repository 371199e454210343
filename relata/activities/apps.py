from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "relata.activities"
    label = "activities"
    verbose_name = _("Activities and tasks")

    def ready(self) -> None:
        # Navigation, timeline sources, hand-over and merge relations, event kinds, job
        # handlers, demo data.
        from relata.activities import registrations, signals  # noqa: F401
