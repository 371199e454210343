"""Task rules (administrators, `admin.change`): tasks the CRM makes by itself when an
activity is logged or when a client has had no contact for a while.

The pages sit in the administration layout; the menu entry is registered when this
module is imported (relata/activities/registrations.py imports it).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.activities.forms_settings import TaskRuleForm, rule_values
from relata.activities.models import AssigneePolicy, RuleTrigger, TaskPriority, TaskRule
from relata.activities.selectors.settings import task_rule_get, task_rules_listed
from relata.activities.services.rules import task_rule_create, task_rule_delete, task_rule_update
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.web.editing import render_form, run_action, save_form
from relata.web.navigation import NavItem, register_admin_nav

# The key "task_rule" marks the entry current on task_rules, task_rule_new and task_rule_edit.
register_admin_nav(
    NavItem(
        "task_rule",
        gettext_lazy("Task rules"),
        "activities:task_rules",
        "admin",
        action="change",
        icon="lightning-charge",
        order=110,
    )
)


def _rule(actor: Membership, pk: int) -> TaskRule:
    return task_rule_get(actor, pk)


@permission_required("admin", "change")
@require_GET
def task_rule_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "activities/settings_task_rules.html", {"rules": task_rules_listed(actor)})


def _form_context(form: TaskRuleForm) -> dict[str, object]:
    return {"trigger": form.trigger_value(), "policy": form.policy_value()}


@permission_required("admin", "change")
@require_http_methods(["GET", "POST"])
def task_rule_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    initial = {
        "trigger": request.GET.get("trigger") if request.GET.get("trigger") in RuleTrigger.values else "activity",
        "is_active": True,
        "delay_days": 0,
        "due_time": "10:00",
        "priority": TaskPriority.NORMAL,
        "assignee_policy": AssigneePolicy.OWNER,
    }
    form = TaskRuleForm(request.POST or None, actor=actor, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: task_rule_create(actor, values=rule_values(data)),
        success_url=reverse("activities:task_rules"),
        success_message=lambda rule: _("The rule “%(name)s” has been created.") % {"name": rule.name},
    )
    context = {"creating": True, **_form_context(form)}
    return render_form(request, "activities/settings_task_rule_form.html", form, outcome, context)


@permission_required("admin", "change")
@require_http_methods(["GET", "POST"])
def task_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    rule = _rule(actor, pk)
    initial = {
        "version": rule.version,
        "name": rule.name,
        "is_active": rule.is_active,
        "trigger": rule.trigger,
        "activity_kind": rule.activity_kind,
        "activity_text": rule.activity_text,
        "activity_outcome": rule.activity_outcome_id,
        "segment": rule.segment_id,
        "silence_days": rule.silence_days,
        "task_type": rule.task_type_id,
        "task_title": rule.task_title,
        "delay_days": rule.delay_days,
        "due_time": rule.due_time,
        "priority": rule.priority,
        "remind_before": rule.remind_before,
        "assignee_policy": rule.assignee_policy,
        "assignee": rule.assignee_id,
    }
    form = TaskRuleForm(request.POST or None, actor=actor, rule=rule, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: task_rule_update(actor, rule.pk, version=data["version"], values=rule_values(data)),
        success_url=reverse("activities:task_rules"),
        success_message=_("The rule has been saved."),
    )
    made = rule.tasks.count()
    context = {"rule": rule, "made": made, **_form_context(form)}
    return render_form(request, "activities/settings_task_rule_form.html", form, outcome, context)


@permission_required("admin", "change")
@require_POST
def task_rule_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    rule = _rule(actor, pk)
    run_action(
        request,
        lambda: task_rule_delete(actor, rule.pk),
        success_message=_("The rule “%(name)s” has been deleted.") % {"name": rule.name},
    )
    return HttpResponseRedirect(reverse("activities:task_rules"))


urls = [
    path("settings/rules/", task_rule_list, name="task_rules"),
    path("settings/rules/new/", task_rule_new, name="task_rule_new"),
    path("settings/rules/<int:pk>/", task_rule_edit, name="task_rule_edit"),
    path("settings/rules/<int:pk>/delete/", task_rule_delete_view, name="task_rule_delete"),
]
