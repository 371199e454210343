"""Pipelines and their stages, and the workspace's list of reasons deals are lost.

A pipeline is the road of one kind of sale (B2B equipment, B2C retail). Its stages are
the open steps in order; winning and losing are not stages but the deal's outcome, so a
lost deal keeps the stage where the client refused (the funnel shows where that is).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from relata.core.models import ListEntry, VersionedModel, WorkspaceModel


class SalesMode(models.TextChoices):
    PARALLEL = "parallel", _("Parallel: the owner keeps the deal through all stages")
    CONVEYOR = "conveyor", _("Conveyor: stages may hand the deal to a responsible team")


class HandoffPolicy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("In turn (round-robin)")
    LEAST_LOADED = "least_loaded", _("Least loaded (fewest open deals)")


# Deal fields a stage may require before a deal enters it (key → label).
REQUIRABLE_FIELDS: dict[str, Any] = {
    "client": _("Client"),
    "contacts": _("Contact persons"),
    "amount": _("Amount"),
    "expected_close_date": _("Expected close date"),
    "competitors": _("Competitors"),
    "description": _("Description"),
}


class Pipeline(WorkspaceModel, VersionedModel):
    name = models.CharField(_("name"), max_length=100)
    mode = models.CharField(_("sales mode"), max_length=10, choices=SalesMode.choices, default=SalesMode.PARALLEL)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("Out of use, its deals stay but no new ones are created in it.")
    )

    access_module = "sales"

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint("workspace", Lower("name"), name="sales_pipeline_name_ci")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_conveyor(self) -> bool:
        return self.mode == SalesMode.CONVEYOR


class Stage(WorkspaceModel):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages", verbose_name=_("pipeline"))
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability, %"), default=10, help_text=_("Given to a deal when it enters the stage.")
    )
    required_fields = models.JSONField(
        _("required fields"), default=list, blank=True, help_text=_("A deal cannot enter the stage without them.")
    )
    # Conveyor pipelines only: a deal entering the stage goes to a member of this team.
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible team"),
    )
    handoff = models.CharField(
        _("hand-off"), max_length=12, choices=HandoffPolicy.choices, default=HandoffPolicy.ROUND_ROBIN
    )
    # Round-robin pointer: the user who got the last deal handed to this stage.
    last_handoff_user = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    access_module = "sales"

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint("pipeline", Lower("name"), name="sales_stage_name_ci"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="sales_stage_probability"),
        ]

    def __str__(self) -> str:
        return self.name

    def required_labels(self) -> list[str]:
        return [str(REQUIRABLE_FIELDS[key]) for key in self.required_fields if key in REQUIRABLE_FIELDS]


BUILTIN_LOSS_REASONS: list[tuple[str, Any]] = [
    ("price", _("Price too high")),
    ("competitor", _("Chose a competitor")),
    ("no_budget", _("No budget")),
    ("no_need", _("No longer needed")),
    ("terms", _("Delivery terms did not suit")),
    ("no_answer", _("Stopped answering")),
]


class LossReason(ListEntry):
    """Why deals are lost: built-in reasons (renamable) and the workspace's own."""

    builtin_names: ClassVar[dict[str, Any]] = dict(BUILTIN_LOSS_REASONS)
    access_module: ClassVar[str | None] = "sales"

    class Meta(ListEntry.Meta):
        verbose_name = _("loss reason")
        verbose_name_plural = _("loss reasons")
