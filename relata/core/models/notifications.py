from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relata.core.models.base import WorkspaceModel


class Notification(WorkspaceModel):
    """A message for one member in the app (a task reminder, later an incoming call…).

    `key` makes delivery idempotent: one notification per (workspace, user, key), so a
    sender that runs twice (a worker restarted mid-way) cannot notify twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("delivery key"), max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("text"), max_length=500, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    # Every member reads only their own notifications (selectors filter by user).
    access_module = None

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user", "key"], name="core_notification_once"),
        ]
        indexes = [
            models.Index(fields=["workspace", "user", "-id"], name="core_notification_user"),
            models.Index(
                fields=["workspace", "user"], condition=models.Q(read_at__isnull=True), name="core_notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OutgoingEmail(WorkspaceModel):
    """One letter to one recipient, written in the transaction that decided to send it
    and sent after commit by a worker that claims it (never twice: the claim is a
    conditional update; a crash between claim and send leaves it "sending" for the
    stale-claim sweep, which retries at most `max_attempts` times)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("delivery key"), max_length=120)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # A file already kept in the attachments storage (a sales document's PDF), sent
    # along under `attachment_name`.
    attachment = models.CharField(_("attached file"), max_length=300, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=255, blank=True)

    access_module = None

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="core_outgoing_email_once")]
        indexes = [models.Index(fields=["state", "claimed_at"], name="core_outgoing_email_state")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
