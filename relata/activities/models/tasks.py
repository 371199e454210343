"""Tasks: every promise to a client becomes a task with a due time, an assignee and,
if wished, a reminder; plus the rules and mass plans that create them."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relata.core.models import VersionedModel, WorkspaceModel
from relata.core.models.lists import ListEntry

BUILTIN_TASK_TYPES: list[tuple[str, Any, str]] = [
    ("call_back", _("Call back"), "telephone-outbound"),
    ("send_offer", _("Send a commercial offer"), "file-earmark-text"),
    ("offer_discount", _("Offer a discount"), "percent"),
    ("control_payment", _("Control the payment"), "cash-coin"),
    ("send_documents", _("Send documents"), "send"),
    ("meeting", _("Meeting"), "people"),
]
_BUILTIN_NAMES = {key: name for key, name, _icon in BUILTIN_TASK_TYPES}
_BUILTIN_ICONS = {key: icon for key, _name, icon in BUILTIN_TASK_TYPES}


class TaskType(ListEntry):
    """A kind of task: the built-in ones (renamable) and the workspace's own."""

    builtin_names: ClassVar[dict[str, Any]] = _BUILTIN_NAMES
    access_module: ClassVar[str | None] = "activities"

    class Meta(ListEntry.Meta):
        verbose_name = _("task type")
        verbose_name_plural = _("task types")

    @property
    def icon(self) -> str:
        return _BUILTIN_ICONS.get(self.key, "check2-square")


class TaskPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    DONE = "done", pgettext_lazy("task status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")


class Task(WorkspaceModel, VersionedModel):
    """A task of one assignee, optionally about a client.

    Visibility follows the assignee (own / team / all). `remind_at` (due time minus the
    chosen lead time) and `reminded_at` drive the reminders: a reminder is delivered once,
    by the worker that sets `reminded_at` in the same transaction that writes the
    notification. A recurring task (`recurrence`, an RRULE) creates its next occurrence
    when it is completed; the occurrences share `series` (the first task).
    """

    type = models.ForeignKey(TaskType, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("type"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_at = models.DateTimeField(_("due"))
    priority = models.CharField(_("priority"), max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assignee")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("client"),
    )
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    result = models.TextField(_("result"), blank=True)
    # Reminders.
    remind_before = models.PositiveIntegerField(
        _("remind, minutes before"), null=True, blank=True, help_text=_("Empty: no reminder; 0: at the due time.")
    )
    remind_by_email = models.BooleanField(_("also by e-mail"), default=False)
    remind_at = models.DateTimeField(_("reminder time"), null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True, editable=False)
    # Recurrence.
    recurrence = models.CharField(_("repeats"), max_length=500, blank=True, help_text=_("An iCalendar RRULE."))
    series = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("series")
    )
    occurrence = models.PositiveIntegerField(_("occurrence"), default=1)
    # Where it came from.
    rule = models.ForeignKey(
        "TaskRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name=_("rule")
    )
    plan = models.ForeignKey(
        "TaskPlan", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name=_("plan")
    )
    # Its place in a record's timeline: created, then completed.
    timeline_at = models.DateTimeField(_("timeline time"), default=timezone.now, editable=False)

    access_module: ClassVar[str | None] = "activities"
    owner_field: ClassVar[str | None] = "assignee"

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["workspace", "assignee", "status", "due_at"], name="activities_task_mine"),
            models.Index(fields=["workspace", "status", "due_at"], name="activities_task_due"),
            models.Index(fields=["workspace", "client", "-timeline_at", "-id"], name="activities_task_client"),
            models.Index(
                fields=["remind_at"],
                condition=models.Q(reminded_at__isnull=True, status="open", remind_at__isnull=False),
                name="activities_task_to_remind",
            ),
        ]
        constraints = [
            # A rule never creates a second task for a client while one is open.
            models.UniqueConstraint(
                fields=["rule", "client"],
                condition=models.Q(status="open", rule__isnull=False),
                name="activities_task_rule_open_once",
            ),
            # A mass plan creates one task per client, however often its job is resumed.
            models.UniqueConstraint(
                fields=["plan", "client"], condition=models.Q(plan__isnull=False), name="activities_task_plan_once"
            ),
            # Completing an occurrence twice cannot create its successor twice.
            models.UniqueConstraint(
                fields=["series", "occurrence"], condition=models.Q(series__isnull=False), name="activities_task_occ"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.status == TaskStatus.OPEN and self.due_at < (now or timezone.now())


class RuleTrigger(models.TextChoices):
    ACTIVITY = "activity", _("When an activity is logged")
    SILENCE = "silence", _("When a client has had no contact for a while")


class AssigneePolicy(models.TextChoices):
    OWNER = "owner", _("The client's owner")
    AUTHOR = "author", _("The author of the activity")
    USER = "user", _("A chosen colleague")


class TaskRule(WorkspaceModel, VersionedModel):
    """A rule that creates tasks by itself, defined by administrators: "3 days after a
    price list was sent, call back"; "no contact for 60 days with a client of segment A,
    a task for its owner". Never a second open task of the same rule for a client."""

    name = models.CharField(_("name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    trigger = models.CharField(_("trigger"), max_length=10, choices=RuleTrigger.choices)
    # On an activity: its kind, words in its purpose, its outcome (each optional).
    activity_kind = models.CharField(_("kind of contact"), max_length=20, blank=True)
    activity_text = models.CharField(
        _("purpose contains"), max_length=100, blank=True, help_text=_("E.g. “price list”; any case.")
    )
    activity_outcome = models.ForeignKey(
        "Outcome", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("outcome")
    )
    # On silence: clients of the segment (all clients when empty) without contact for N days.
    segment = models.ForeignKey(
        "clients.Segment", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("segment")
    )
    silence_days = models.PositiveSmallIntegerField(_("days without contact"), null=True, blank=True)
    # The task.
    task_type = models.ForeignKey(TaskType, on_delete=models.PROTECT, related_name="+", verbose_name=_("task type"))
    task_title = models.CharField(_("task title"), max_length=200)
    delay_days = models.PositiveSmallIntegerField(_("due in, days"), default=0)
    due_time = models.TimeField(_("due at"), default=dt.time(10, 0))
    priority = models.CharField(_("priority"), max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    remind_before = models.PositiveIntegerField(_("remind, minutes before"), null=True, blank=True)
    assignee_policy = models.CharField(
        _("assign to"), max_length=8, choices=AssigneePolicy.choices, default=AssigneePolicy.OWNER
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("colleague"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    last_run_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)

    access_module: ClassVar[str | None] = "activities"

    class Meta:
        verbose_name = _("task rule")
        verbose_name_plural = _("task rules")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TaskPlan(WorkspaceModel):
    """One mass planning: the same task for every client of a segment or selection,
    spread over managers and days. Its job can be resumed: one task per client."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("job")
    )
    title = models.CharField(_("task title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict)
    created_count = models.PositiveIntegerField(_("tasks created"), default=0)

    access_module: ClassVar[str | None] = "activities"
    owner_field: ClassVar[str | None] = "created_by"

    class Meta:
        verbose_name = _("mass planning")
        verbose_name_plural = _("mass plannings")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(WorkspaceModel):
    """A member's private iCalendar feed: a secret address (only its hash is kept) that a
    calendar program polls; revoking it makes the address answer 404 at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("beginning of the address"), max_length=12, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.prefix}…"
