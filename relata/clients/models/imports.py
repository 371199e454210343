"""Imports of an existing base from CSV, Excel and vCard, undoable as a whole."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relata.clients.models.clients import ClientKind
from relata.core.models import WorkspaceModel


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    UNDOING = "undoing", _("Being undone")
    UNDONE = "undone", _("Undone")


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", _("Skip the row")
    UPDATE = "update", _("Update the existing client")
    CREATE = "create", _("Create a new client anyway")


class ImportBatch(WorkspaceModel):
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entity = models.CharField(_("import"), max_length=8, choices=ClientKind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    encoding = models.CharField(max_length=16, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(_("columns"), default=dict, blank=True)
    policy = models.CharField(
        _("when a client already exists"), max_length=8, choices=DuplicatePolicy.choices, default=DuplicatePolicy.SKIP
    )
    defaults = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    undo_job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    access_module = "clients"
    owner_field = "created_by"

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class RowAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class ImportRowResult(WorkspaceModel):
    """What happened to one row: the client it made or changed (with the values before,
    to undo an update), or why it was skipped or refused."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="results")
    row_number = models.PositiveIntegerField(_("row"))
    action = models.CharField(_("result"), max_length=8, choices=RowAction.choices)
    client = models.ForeignKey("clients.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    before = models.JSONField(default=dict, blank=True)
    values = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)

    access_module = "clients"
    owner_field = "batch__created_by"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="clients_importrow_unique")]
        indexes = [models.Index(fields=["batch", "action"], name="clients_importrow_action")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"
