"""What the activities app adds to the platform's registries (imported from ready())."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relata.activities.models import Activity, ActivityContact, Task, TaskStatus
from relata.activities.selectors.panels import client_log_panel, client_tasks_panel
from relata.activities.selectors.timeline import ClientActivities, ClientTasks
from relata.activities.services.settings import activity_lists_seed
from relata.clients.relations import merge_unique_links, register_client_relation
from relata.core.audit import register_event_kinds
from relata.core.handover import register_owned
from relata.core.services.workspaces import register_workspace_setup
from relata.core.timeline import register_timeline_source
from relata.web.navigation import NavItem, register_nav
from relata.web.panels import Panel, register_panel

register_event_kinds(
    {
        "activity.logged": _("Activity logged"),
        "activity.changed": _("Activity changed"),
        "activity.deleted": _("Activity deleted"),
        "attachment.downloaded": _("Attachment downloaded"),
        "task.created": _("Task created"),
        "task.changed": _("Task changed"),
        "task.completed": _("Task completed"),
        "task.cancelled": _("Task cancelled"),
        "task.reopened": _("Task reopened"),
        "task.deleted": _("Task deleted"),
        "task_rule.created": _("Task rule created"),
        "task_rule.changed": _("Task rule changed"),
        "task_rule.deleted": _("Task rule deleted"),
        "task_plan.finished": _("Mass planning finished"),
        "task_type.saved": _("Task type saved"),
        "outcome.saved": _("Activity outcome saved"),
        "calendar_feed.created": _("Calendar feed address created"),
        "calendar_feed.revoked": _("Calendar feed address revoked"),
    }
)

register_workspace_setup(activity_lists_seed)
register_timeline_source("clients.client", ClientActivities())
register_timeline_source("clients.client", ClientTasks())

register_panel(
    "clients.client",
    Panel("activities.log", "activities/_client_log.html", client_log_panel, "activities", column="main", order=10),
)
register_panel(
    "clients.client",
    Panel(
        "activities.tasks", "activities/_client_tasks.html", client_tasks_panel, "activities", column="side", order=10
    ),
)

register_nav(NavItem("tasks", _("Tasks"), "activities:tasks", "activities", icon="check2-square", order=40))
register_nav(NavItem("calendar", _("Calendar"), "activities:calendar", "activities", icon="calendar3", order=45))

# Open tasks follow their client to the colleague who receives it (the same stable
# choice per client id as the clients themselves); finished ones keep their assignee.
register_owned(
    "activities.task",
    Task,
    label=_("Open tasks"),
    module="activities",
    group_field="client_id",
    transfer=Q(status=TaskStatus.OPEN),
    owner_field="assignee",
)


register_client_relation(Activity, "client", label=_("Activities"))
register_client_relation(Task, "client", label=_("Tasks"))
register_client_relation(
    ActivityContact,
    "person",
    merge=merge_unique_links(ActivityContact, "activity_id"),
    label=_("Activities as contact person"),
)

# Modules that register at import time: job handlers (a worker never loads the URLs),
# the demo step and the menu entries of the settings screens.
from relata.activities import demo as _demo  # noqa: E402, F401  (registers the demo step)
from relata.activities.services import planning as _planning_jobs  # noqa: E402, F401
from relata.activities.views import calendar as _calendar_views  # noqa: E402, F401  (menu entries)
from relata.activities.views import planning as _planning_views  # noqa: E402, F401
from relata.activities.views import rules as _rules_views  # noqa: E402, F401
from relata.activities.views import settings as _settings_views  # noqa: E402, F401
