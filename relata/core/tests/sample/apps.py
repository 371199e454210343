from django.apps import AppConfig


class SampleConfig(AppConfig):
    """A tests-only app with owned records, registered for the hand-over."""

    name = "relata.core.tests.sample"
    label = "sample"

    def ready(self) -> None:
        from django.db.models import Q

        from relata.core.handover import register_owned
        from relata.core.tests.sample.models import Account, Opportunity

        register_owned("sample.account", Account, label="Accounts", module="clients", group_field="id")
        register_owned(
            "sample.opportunity",
            Opportunity,
            label="Open opportunities",
            module="sales",
            group_field="account_id",
            transfer=Q(is_open=True),
        )
