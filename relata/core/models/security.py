from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginThrottle(models.Model):
    """Failed log-in counter for one account (e-mail) or one client address.

    Not a workspace row: it exists before anyone knows who is logging in.
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("address")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.CharField(max_length=254)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("log-in throttle")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="core_loginthrottle_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
