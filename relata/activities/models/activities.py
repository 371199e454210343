"""Activities: every contact with a client (calls, letters, meetings, notes…), with the
client's reaction, participants and attachments."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relata.core.models import VersionedModel, WorkspaceModel
from relata.core.models.lists import ListEntry


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    MESSAGE = "message", _("Message")
    NOTE = "note", _("Note")
    DOCUMENT_SENT = "document_sent", _("Document sent")
    DOCUMENT_RECEIVED = "document_received", _("Document received")


# Kinds that go one way or the other (an incoming or outgoing call, letter…).
DIRECTED_KINDS = frozenset({"call", "email", "letter", "fax", "message"})
# Kinds that take place at a time and are shown in the calendar.
SCHEDULED_KINDS = frozenset({"meeting", "visit"})
ACTIVITY_ICONS = {
    "call": "telephone",
    "email": "envelope",
    "meeting": "people",
    "visit": "geo-alt",
    "letter": "mailbox",
    "fax": "printer",
    "message": "chat-dots",
    "note": "journal-text",
    "document_sent": "file-earmark-arrow-up",
    "document_received": "file-earmark-arrow-down",
}


class Direction(models.TextChoices):
    INCOMING = "in", _("Incoming")
    OUTGOING = "out", _("Outgoing")


BUILTIN_OUTCOMES: list[tuple[str, Any, bool | None]] = [
    ("interested", _("Interested"), True),
    ("asked_for_offer", _("Asked for an offer or a price list"), True),
    ("agreed_to_meet", _("Agreed to meet"), True),
    ("thinking", _("Will think it over"), None),
    ("call_later", _("Asked to call later"), None),
    ("no_answer", _("No answer"), None),
    ("has_supplier", _("Already has a supplier"), False),
    ("refused", _("Refused"), False),
]
_OUTCOME_NAMES = {key: name for key, name, _positive in BUILTIN_OUTCOMES}


class Outcome(ListEntry):
    """A client's reaction to a contact, from the workspace's own list ("interested",
    "asked for a price list", "refused"…): the built-in ones (renamable) and its own."""

    is_positive = models.BooleanField(_("a good sign"), null=True, blank=True)

    builtin_names: ClassVar[dict[str, Any]] = _OUTCOME_NAMES
    access_module: ClassVar[str | None] = "activities"

    class Meta(ListEntry.Meta):
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")


class Activity(WorkspaceModel, VersionedModel):
    """One contact with a client. Visible to whoever may see the client: a client's
    history follows the client to its next manager."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, blank=True)
    occurred_at = models.DateTimeField(_("date and time"))
    duration = models.PositiveIntegerField(_("duration, seconds"), null=True, blank=True)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    email_thread = models.CharField(
        _("e-mail thread"), max_length=255, blank=True, help_text=_("Letters of one conversation share it.")
    )
    subject = models.CharField(_("purpose"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Sanitised HTML."))
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("outcome")
    )
    outcome_note = models.CharField(_("reaction in words"), max_length=500, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="activities", verbose_name=_("client")
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("colleagues taking part")
    )
    contacts = models.ManyToManyField(
        "clients.Client",
        through="ActivityContact",
        blank=True,
        related_name="+",
        verbose_name=_("contact persons"),
    )

    access_module: ClassVar[str | None] = "activities"
    owner_field: ClassVar[str | None] = "client__owner"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "client", "-occurred_at", "-id"], name="activities_ws_client_time"),
            models.Index(fields=["workspace", "author", "-occurred_at"], name="activities_ws_author_time"),
            models.Index(fields=["workspace", "kind", "-occurred_at"], name="activities_ws_kind_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k for k, _label in ActivityKind.choices]), name="activities_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0), name="activities_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject or self.client_id}"

    @property
    def icon(self) -> str:
        return ACTIVITY_ICONS.get(self.kind, "circle")


class ActivityContact(models.Model):
    """A contact person (a person client) who took part in an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="contact_links")
    person = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("contact person of an activity")
        verbose_name_plural = _("contact persons of activities")
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="activities_contact_once")]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.person_id}"


def attachments_storage() -> Any:
    """The storage named "attachments" in settings.STORAGES (disk or object storage)."""
    from django.core.files.storage import storages

    return storages["attachments"]


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the original one is kept in `name`, never used as a path.
    return f"attachments/{instance.workspace_id}/{uuid.uuid4().hex}"


class Attachment(WorkspaceModel):
    """A file of an activity, kept in the configured storage (disk or object storage),
    never in a database row, and served only as a download to those who see the activity."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("activity")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=attachments_storage, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )

    access_module: ClassVar[str | None] = "activities"
    owner_field: ClassVar[str | None] = "activity__client__owner"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.pk, "name": self.name, "size": self.size, "content_type": self.content_type}
