"""Segments (saved dynamic filters or static lists), saved list views and the rules
that assign new clients to managers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relata.clients.models.clients import ClientKind
from relata.core.models import OwnedModel, VersionedModel, WorkspaceModel


class SegmentKind(models.TextChoices):
    DYNAMIC = "dynamic", _("Dynamic (a saved filter)")
    STATIC = "static", _("Static (a list)")


class Segment(OwnedModel, VersionedModel):
    """A dynamic segment is a filter definition evaluated when used (always current);
    a static one is a fixed list of clients. Either is seen by each user within that
    user's own scope."""

    name = models.CharField(_("name"), max_length=150)
    entity = models.CharField(_("of"), max_length=8, choices=ClientKind.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=SegmentKind.choices, default=SegmentKind.DYNAMIC)
    definition = models.JSONField(_("conditions"), default=dict, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_shared = models.BooleanField(_("shared with the team"), default=True)

    access_module = "clients"
    owner_field = None  # segments are shared by default; selectors add "own or shared"

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]
        indexes = [models.Index(fields=["workspace", "entity"], name="clients_segment_ws_entity")]

    def __str__(self) -> str:
        return self.name


class SegmentMember(WorkspaceModel):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="segment_memberships")

    access_module = "clients"
    owner_field = "client__owner"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "client"], name="clients_segmentmember_unique")]

    def __str__(self) -> str:
        return f"{self.segment_id}:{self.client_id}"


class SavedView(WorkspaceModel):
    """A user's saved list: filters, sort and columns of the companies or people list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(_("of"), max_length=8, choices=ClientKind.choices)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters and sort"), max_length=2000, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    is_shared = models.BooleanField(_("visible to colleagues"), default=False)

    access_module = "clients"
    owner_field = None  # own or shared, applied by the selector

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user", "entity", "name"], name="clients_savedview_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AssignmentStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("In turn (round-robin)")
    LEAST_LOADED = "least_loaded", _("To the least loaded")


class AssignmentRule(WorkspaceModel, VersionedModel):
    """New clients matching the rule's segment (or all, without one) go to one of the
    rule's managers. Rules are tried in order of position; the first match wins."""

    name = models.CharField(_("name"), max_length=150)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    entity = models.CharField(_("for"), max_length=8, choices=ClientKind.choices, blank=True)
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("segment")
    )
    strategy = models.CharField(
        _("distribution"), max_length=16, choices=AssignmentStrategy.choices, default=AssignmentStrategy.ROUND_ROBIN
    )
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("managers"))
    is_active = models.BooleanField(_("active"), default=True)
    next_index = models.PositiveIntegerField(default=0, editable=False)

    access_module = "clients"

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
