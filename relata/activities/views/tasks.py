"""Task pages: my tasks (overdue, today, upcoming, done), the team's tasks, one task with
its completion form, and the create/edit form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.activities.forms import REPEAT_CHOICES, CompleteForm, TaskForm, local_input
from relata.activities.models import Task, TaskStatus
from relata.activities.recurrence import describe_rule
from relata.activities.selectors.tasks import bucket, task_get, tasks_visible_to, today_for
from relata.activities.services.common import visible_client
from relata.activities.services.tasks import (
    task_cancel,
    task_complete,
    task_create,
    task_delete,
    task_reopen,
    task_update,
)
from relata.core.access import require
from relata.core.decorators import permission_required
from relata.core.models import Membership, Scope
from relata.core.selectors.members import members_visible_to
from relata.web.editing import render_form, save_form

BUCKETS = ("overdue", "today", "upcoming", "done")
PAGE_SIZE = 50


def _counts(queryset: Any, actor: Membership) -> dict[str, int]:
    day = today_for(actor)
    now = timezone.now()
    return queryset.aggregate(
        overdue=Count("pk", filter=Q(status=TaskStatus.OPEN, due_at__lt=now)),
        today=Count("pk", filter=Q(status=TaskStatus.OPEN, due_at__gte=now, due_at__lt=day.end)),
        upcoming=Count("pk", filter=Q(status=TaskStatus.OPEN, due_at__gte=day.end)),
    )


def _listing(request: HttpRequest, actor: Membership, queryset: Any, *, team: bool) -> HttpResponse:
    show = request.GET.get("show", "")
    counts = _counts(queryset, actor)
    if show not in BUCKETS:
        show = "overdue" if counts["overdue"] else "today" if counts["today"] else "upcoming"
    if show == "done":
        rows = queryset.exclude(status=TaskStatus.OPEN).order_by("-completed_at", "-id")
    else:
        rows = bucket(queryset, show, today_for(actor))
    page = Paginator(rows.select_related("completed_by"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "counts": counts,
        "team": team,
        "now": timezone.now(),
        "can_see_team": actor.scope != Scope.OWN and actor.can("activities", "view"),
    }
    if team:
        context["assignees"] = members_visible_to(actor).filter(is_active=True).select_related("user")
        context["assignee"] = request.GET.get("assignee", "")
    return render(request, "activities/tasks.html", context)


@permission_required("activities", "view")
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return _listing(request, actor, tasks_visible_to(actor).filter(assignee_id=actor.user_id), team=False)


@permission_required("activities", "view")
@require_GET
def team_tasks(request: HttpRequest) -> HttpResponse:
    """Everybody's tasks within the actor's scope (a head of sales: the team subtree)."""
    actor = request.actor  # type: ignore[attr-defined]
    queryset = tasks_visible_to(actor)
    if request.GET.get("assignee", "").isdigit():
        queryset = queryset.filter(assignee_id=int(request.GET["assignee"]))
    return _listing(request, actor, queryset, team=True)


def _task_form_page(request: HttpRequest, actor: Membership, task: Task | None, client_id: int | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if task is not None:
        preset = {value for value, _label in REPEAT_CHOICES}
        initial = {
            "type": task.type_id,
            "title": task.title,
            "due_at": local_input(task.due_at),
            "priority": task.priority,
            "assignee": task.assignee_id,
            "client": task.client_id,
            "description": task.description,
            "remind_before": "" if task.remind_before is None else str(task.remind_before),
            "remind_by_email": task.remind_by_email,
            "repeat": task.recurrence if task.recurrence in preset else ("custom" if task.recurrence else ""),
            "recurrence": task.recurrence,
            "version": task.version,
        }
    elif client_id:
        initial = {"client": client_id}
    form = TaskForm(request.POST or None, actor=actor, initial=initial)
    client = None
    wanted_client = request.POST.get("client") if request.method == "POST" else initial.get("client")
    if wanted_client:
        try:
            client = visible_client(actor, wanted_client)
        except ValidationError:
            client = None

    def save(data: dict[str, Any]) -> Task:
        values = {**form.values(), "client": data.get("client")}
        if task is None:
            return task_create(actor, values=values)
        return task_update(actor, task.pk, version=data.get("version") or 0, values=values)

    def success_url(saved: Task) -> str:
        target = request.POST.get("next") or ""
        if target.startswith("/") and not target.startswith("//"):
            return target
        return reverse("activities:task", args=[saved.pk])

    outcome = save_form(
        request,
        form,
        save,
        success_url=success_url,
        success_message=_("The task has been created.") if task is None else _("The changes have been saved."),
    )
    context = {"task": task, "client": client, "next": request.GET.get("next", "")}
    return render_form(request, "activities/task_form.html", form, outcome, context)


@permission_required("activities", "create")
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    client_id = int(request.GET["client"]) if request.GET.get("client", "").isdigit() else None
    return _task_form_page(request, actor, None, client_id)


@permission_required("activities", "change")
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    task = task_get(actor, pk)
    if not task.is_open:
        messages.error(request, _("A finished task cannot be changed; reopen it first."))
        return HttpResponseRedirect(reverse("activities:task", args=[task.pk]))
    return _task_form_page(request, actor, task, None)


def _detail_context(actor: Membership, task: Task, form: CompleteForm | None = None) -> dict[str, Any]:
    return {
        "task": task,
        "form": form or CompleteForm(actor=actor, initial={"next_title": task.title}),
        "repeat": describe_rule(task.recurrence),
        "overdue": task.is_overdue(),
        "can_change": actor.can("activities", "change"),
        "can_delete": actor.can("activities", "delete"),
    }


@permission_required("activities", "view")
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "activities/task.html", _detail_context(actor, task_get(actor, pk)))


@permission_required("activities", "change")
@require_POST
def task_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    task = task_get(actor, pk)
    require(actor, "activities", "change")
    form = CompleteForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            done = task_complete(
                actor,
                task.pk,
                result=form.cleaned_data.get("result") or "",
                activity=form.activity_values(),
                follow_up=form.follow_up_values(),
            )
        except ValidationError as error:
            _attach_completion_errors(form, error)
        else:
            message = _("The task is done.")
            if done.follow_up is not None:
                message += " " + _("Next step planned for %(due)s.") % {
                    "due": timezone.localtime(done.follow_up.due_at).strftime("%d.%m.%Y %H:%M")
                }
            messages.success(request, message)
            target = request.POST.get("next") or ""
            if target.startswith("/") and not target.startswith("//"):
                return HttpResponseRedirect(target)
            return HttpResponseRedirect(reverse("activities:task", args=[task.pk]))
    return render(request, "activities/task.html", _detail_context(actor, task, form), status=400)


def _attach_completion_errors(form: CompleteForm, error: ValidationError) -> None:
    """The activity's and the next task's services name their fields without the form's
    prefixes ("outcome" is the form's "activity_outcome", "due_at" its "next_due_at")."""
    for name, errors in getattr(error, "message_dict", {"": error.messages}).items():
        for candidate in (name, f"activity_{name}", f"next_{name}"):
            if candidate in form.fields:
                form.add_error(candidate, errors)
                break
        else:
            form.add_error(None, errors)


def _finish(request: HttpRequest, pk: int, action: Any, message: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    task = task_get(actor, pk)
    try:
        action(actor, task.pk)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, message)
    return HttpResponseRedirect(reverse("activities:task", args=[task.pk]))


@permission_required("activities", "change")
@require_POST
def task_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _finish(request, pk, task_cancel, _("The task has been cancelled."))


@permission_required("activities", "change")
@require_POST
def task_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _finish(request, pk, task_reopen, _("The task is open again."))


@permission_required("activities", "delete")
@require_POST
def task_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    task = task_get(actor, pk)
    task_delete(actor, task.pk)
    messages.success(request, _("The task has been deleted."))
    if task.client_id:
        return HttpResponseRedirect(reverse("clients:detail", args=[task.client_id]))
    return HttpResponseRedirect(reverse("activities:tasks"))


urls = [
    path("tasks/", my_tasks, name="tasks"),
    path("tasks/team/", team_tasks, name="team_tasks"),
    path("tasks/new/", task_new, name="task_new"),
    path("tasks/<int:pk>/", task_detail, name="task"),
    path("tasks/<int:pk>/edit/", task_edit, name="task_edit"),
    path("tasks/<int:pk>/complete/", task_complete_view, name="task_complete"),
    path("tasks/<int:pk>/cancel/", task_cancel_view, name="task_cancel"),
    path("tasks/<int:pk>/reopen/", task_reopen_view, name="task_reopen"),
    path("tasks/<int:pk>/delete/", task_delete_view, name="task_delete"),
]
