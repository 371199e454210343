"""Bulk actions on a selection or on the whole filtered list, run as jobs with progress:
assign, tag, untag, set the status, delete."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, ProtectedError, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.clients.models import Client, ClientKind, LifecycleStatus
from relata.clients.selectors.clients import clients_visible_to
from relata.clients.selectors.lists import queryset_for_params
from relata.clients.services.clients import tags_get_or_create
from relata.core.access import require
from relata.core.audit import events_for_owner_change, record_event
from relata.core.errors import invalid
from relata.core.jobs import JobContext, job_handler
from relata.core.models import Event, Job, Membership
from relata.core.services.jobs import job_start

ACTIONS = {"assign": "assign", "tag": "change", "untag": "change", "status": "change", "delete": "delete"}
CHUNK = 500


def _targets(actor: Membership, params: dict[str, Any]) -> QuerySet[Client]:
    kind = params["kind"]
    if params.get("all"):
        return queryset_for_params(actor, kind, params.get("query", ""))
    return clients_visible_to(actor, kind).filter(pk__in=params.get("ids") or [])


def bulk_start(
    actor: Membership,
    *,
    kind: str,
    action: str,
    ids: list[int] | None = None,
    select_all: bool = False,
    query: str = "",
    owner_id: int | None = None,
    tag: str = "",
    status_id: int | None = None,
) -> Job:
    """Check the request and start the job; the job narrows to the actor's scope again."""
    if kind not in ClientKind.values:
        raise invalid("kind", _("Choose companies or people."))
    if action not in ACTIONS:
        raise invalid("action", _("Choose an action."))
    require(actor, "clients", ACTIONS[action])
    ids = [int(i) for i in ids or []]
    if not select_all and not ids:
        raise invalid("ids", _("Select the clients first."))
    if action == "assign" and (
        not owner_id
        or not Membership.objects.filter(workspace_id=actor.workspace_id, user_id=owner_id, is_active=True).exists()
    ):
        raise invalid("owner", _("Choose an active colleague."))
    if action in ("tag", "untag") and not tag.strip():
        raise invalid("tag", _("Enter the tag."))
    if (
        action == "status"
        and not LifecycleStatus.objects.filter(
            workspace_id=actor.workspace_id, pk=status_id or 0, is_active=True
        ).exists()
    ):
        raise invalid("status", _("Choose a status in use."))
    params = {
        "kind": kind,
        "action": action,
        "ids": ids,
        "all": select_all,
        "query": query,
        "owner": owner_id,
        "tag": tag.strip()[:50],
        "status": status_id,
    }
    total = _targets(actor, params).count()
    if total == 0:
        raise invalid("ids", _("No client you may change matches."))
    return job_start(actor, kind="clients.bulk", params=params, total=total)


def _apply(actor: Membership, action: str, params: dict[str, Any], ids: list[int]) -> int:
    now = timezone.now()
    chunk = Client.objects.filter(pk__in=ids)
    if action == "assign":
        owner_id = int(params["owner"])
        rows = [(c.pk, c.name, c.owner_id, owner_id) for c in chunk.exclude(owner_id=owner_id)]
        changed = chunk.exclude(owner_id=owner_id).update(owner_id=owner_id, version=F("version") + 1, updated_at=now)
        Event.objects.bulk_create(
            events_for_owner_change(workspace=actor.workspace, actor=actor.user, model=Client, rows=rows)
        )
        return changed
    if action == "status":
        return chunk.update(status_id=int(params["status"]), version=F("version") + 1, updated_at=now)
    if action in ("tag", "untag"):
        tag = tags_get_or_create(actor.workspace_id, [params["tag"]])[0]
        through = Client.tags.through
        if action == "tag":
            through.objects.bulk_create([through(client_id=pk, tag_id=tag.pk) for pk in ids], ignore_conflicts=True)
        else:
            through.objects.filter(client_id__in=ids, tag_id=tag.pk).delete()
        Client.objects.filter(pk__in=ids).update(updated_at=now)
        return len(ids)
    if action == "delete":
        Client.objects.filter(parent_id__in=ids).update(parent=None)
        try:
            with transaction.atomic():
                chunk.delete()
            return len(ids)
        except ProtectedError:
            pass
        # Some clients are kept by other records (deals…): delete the others one by one.
        deleted = 0
        for pk in ids:
            try:
                with transaction.atomic():
                    Client.objects.filter(pk=pk).delete()
                deleted += 1
            except ProtectedError:
                continue
        return deleted
    raise invalid("action", _("Choose an action."))


@job_handler("clients.bulk", gettext_lazy("Bulk change of clients"))
def bulk_job(actor: Membership, context: JobContext) -> dict[str, Any]:
    params = context.params
    action = params["action"]
    require(actor, "clients", ACTIONS[action])
    targets = _targets(actor, params)
    total = targets.count()
    context.progress(0, total, force=True)
    done = 0
    kept = 0  # clients a delete left because other records (deals…) refer to them
    last_pk = 0
    while True:
        # Keyset paging by id: rows a chunk removes (delete, reassign out of scope) do not
        # shift the next chunk.
        ids = list(targets.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            break
        with transaction.atomic():
            changed = _apply(actor, action, params, ids)
        if action == "delete":
            kept += len(ids) - changed
        last_pk = ids[-1]
        done += len(ids)
        context.progress(done, max(total, done))
    record_event(
        kind="client.bulk_changed",
        workspace=actor.workspace,
        actor=actor.user,
        data={
            "action": action,
            "kind": params["kind"],
            "count": done - kept,
            "owner": params.get("owner"),
            "tag": params.get("tag"),
            "status": params.get("status"),
            "kept": kept,
        },
    )
    return {"action": action, "count": done - kept, "kept": kept}
