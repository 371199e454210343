"""Deals: create, change, move along the pipeline, win, lose, reopen, delete.

Every write takes the deal's `version` (optimistic locking): two people dragging the same
card at once cannot both succeed; the second gets StaleVersion with the current state.
Stage history (StageVisit) and the deal row change in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from relata.clients.lookup import visible_client
from relata.clients.models import ClientKind
from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import StaleVersion, save_versioned
from relata.core.errors import ValidationError, invalid
from relata.core.inputs import active_member, text
from relata.core.models import Membership
from relata.core.money import clean_currency, clean_money
from relata.sales.models import (
    REQUIRABLE_FIELDS,
    Deal,
    DealContact,
    DealStatus,
    LossReason,
    Pipeline,
    SalesDocument,
    Stage,
    StageVisit,
)
from relata.sales.services.handoff import deal_hand_off, handoff_target

# The fields a user edits on the deal form and the API (the stage moves separately).
FIELDS = [
    "title",
    "client",
    "amount",
    "currency",
    "probability",
    "expected_close_date",
    "competitors",
    "description",
    "owner",
]
MAX_COMPETITORS = 20


def _event(actor: Membership, kind: str, deal: Deal, changes: dict[str, Any] | None = None) -> None:
    record_event(kind=kind, workspace=actor.workspace, actor=actor.user, target=deal, changes=changes or {})


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        parsed = parse_date(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise invalid(field, _("Enter a date."))
    if not dt.date(1990, 1, 1) <= parsed <= dt.date(2200, 1, 1):
        raise invalid(field, _("Enter a realistic date."))
    return parsed


def _probability(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise invalid("probability", _("Enter a whole number from 0 to 100.")) from None
    if not 0 <= number <= 100:
        raise invalid("probability", _("Enter a whole number from 0 to 100."))
    return number


def _competitors(value: Any) -> list[str]:
    """A list of names, or one text with names separated by commas or new lines."""
    if value in (None, ""):
        return []
    items = value if isinstance(value, list | tuple) else str(value).replace("\n", ",").split(",")
    names: list[str] = []
    for item in items:
        name = str(item).strip()
        if not name:
            continue
        if len(name) > 100:
            raise invalid("competitors", _("A competitor's name has at most 100 characters."))
        if name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    if len(names) > MAX_COMPETITORS:
        raise invalid("competitors", _("At most %(count)d competitors.") % {"count": MAX_COMPETITORS})
    return names


def _contacts(actor: Membership, ids: Any) -> list[int]:
    if ids in (None, ""):
        return []
    if not isinstance(ids, list | tuple):
        raise invalid("contacts", _("Choose the contact persons."))
    return sorted({visible_client(actor, pk, "contacts", kind=ClientKind.PERSON).pk for pk in ids})


def _apply(actor: Membership, deal: Deal, values: dict[str, Any], *, creating: bool) -> list[int] | None:
    """Validate `values` onto `deal` (only the keys given, all when creating); returns the
    contact persons' ids when they were given."""

    def given(name: str) -> bool:
        return creating or name in values

    if given("title"):
        deal.title = text(values, "title", 200)
        if not deal.title:
            raise invalid("title", _("Enter what is being sold."), code="required")
    if given("client"):
        raw = values.get("client")
        deal.client = None if raw in (None, "") else visible_client(actor, raw, "client")
    if given("amount"):
        deal.amount = clean_money(values.get("amount"))
    if given("currency"):
        deal.currency = clean_currency(values.get("currency"), default=actor.workspace.default_currency)
    if "probability" in values and values["probability"] not in (None, ""):
        deal.probability = _probability(values["probability"])
    if given("expected_close_date"):
        deal.expected_close_date = _date(values.get("expected_close_date"), "expected_close_date")
    if given("competitors"):
        deal.competitors = _competitors(values.get("competitors"))
    if given("description"):
        deal.description = text(values, "description", 10_000)
    if "owner" in values and values["owner"] not in (None, ""):
        owner = actor if str(values["owner"]) == str(actor.user_id) else active_member(actor, values["owner"], "owner")
        if owner.user_id != (deal.owner_id if not creating else actor.user_id):
            require(actor, "sales", "assign")
        if not owner.can("sales", "view"):
            raise invalid("owner", _("%(name)s has no access to sales.") % {"name": owner.user.full_name})
        deal.owner_id = owner.user_id
    elif creating:
        deal.owner_id = actor.user_id
    return _contacts(actor, values.get("contacts")) if given("contacts") else None


def missing_for_stage(deal: Deal, stage: Stage, contacts: list[int] | None = None) -> list[str]:
    """Keys of the stage's required fields the deal lacks (`contacts`: the persons about
    to be saved, when they are being changed)."""
    missing = []
    for key in stage.required_fields:
        if key == "contacts":
            present = bool(contacts) if contacts is not None else deal.pk and deal.contact_links.exists()
        elif key == "client":
            present = deal.client_id is not None
        else:
            present = getattr(deal, key, None) not in (None, "", [])
        if not present:
            missing.append(key)
    return missing


def _require_fields(deal: Deal, stage: Stage, contacts: list[int] | None) -> None:
    missing = missing_for_stage(deal, stage, contacts)
    if missing:
        message = _("Required at the stage «%(stage)s».") % {"stage": stage.name}
        raise ValidationError({key: [ValidationError(message, code="required")] for key in missing})


def _set_contacts(deal: Deal, person_ids: list[int]) -> None:
    DealContact.objects.filter(deal=deal).exclude(person_id__in=person_ids).delete()
    present = set(DealContact.objects.filter(deal=deal).values_list("person_id", flat=True))
    DealContact.objects.bulk_create(
        [DealContact(workspace_id=deal.workspace_id, deal=deal, person_id=pk) for pk in person_ids if pk not in present]
    )


def _stage(actor: Membership, stage_id: Any, *, pipeline: Pipeline | None = None) -> Stage:
    try:
        pk = int(stage_id)
    except (TypeError, ValueError):
        raise invalid("stage", _("Choose a stage.")) from None
    stage = (
        Stage.objects.select_related("pipeline")
        .filter(workspace_id=actor.workspace_id, pk=pk, pipeline__is_active=True)
        .first()
    )
    if stage is None or (pipeline is not None and stage.pipeline_id != pipeline.pk):
        raise invalid("stage", _("Choose a stage of this pipeline."))
    return stage


def _pipeline(actor: Membership, pipeline_id: Any) -> Pipeline:
    try:
        pk = int(pipeline_id)
    except (TypeError, ValueError):
        raise invalid("pipeline", _("Choose a pipeline.")) from None
    pipeline = Pipeline.objects.filter(workspace_id=actor.workspace_id, pk=pk, is_active=True).first()
    if pipeline is None:
        raise invalid("pipeline", _("Choose a pipeline in use."))
    return pipeline


def _enter(actor: Membership, deal: Deal, stage: Stage, now: dt.datetime) -> None:
    StageVisit.objects.create(
        workspace_id=deal.workspace_id, deal=deal, stage=stage, entered_at=now, entered_by_id=actor.user_id
    )


def _leave(actor: Membership, deal: Deal, now: dt.datetime) -> None:
    StageVisit.objects.filter(deal=deal, left_at__isnull=True).update(left_at=now, left_by_id=actor.user_id)


@transaction.atomic
def deal_create(actor: Membership, *, values: dict[str, Any]) -> Deal:
    """A new open deal in `values["pipeline"]` at `values["stage"]` (default: the first
    stage), owned by the actor unless `owner` names a colleague (needs `sales.assign`).
    The stage's required fields must be given."""
    require(actor, "sales", "create")
    pipeline = _pipeline(actor, values.get("pipeline"))
    if values.get("stage") not in (None, ""):
        stage = _stage(actor, values["stage"], pipeline=pipeline)
    else:
        stage = pipeline.stages.order_by("position", "id").first()  # type: ignore[assignment]
        if stage is None:
            raise invalid("pipeline", _("This pipeline has no stages yet."))
    now = timezone.now()
    deal = Deal(
        workspace_id=actor.workspace_id,
        pipeline=pipeline,
        stage=stage,
        created_by_id=actor.user_id,
        stage_entered_at=now,
        probability=stage.probability,
    )
    contacts = _apply(actor, deal, values, creating=True)
    _require_fields(deal, stage, contacts)
    receiver = handoff_target(deal, stage)
    previous = deal.owner_id
    if receiver is not None:
        deal.owner_id = receiver.user_id
    deal.save()
    _set_contacts(deal, contacts or [])
    _enter(actor, deal, stage, now)
    after = snapshot(deal, [*FIELDS, "pipeline", "stage"])
    _event(actor, "deal.created", deal, diff({}, after))
    if receiver is not None:
        deal_hand_off(actor, deal, stage, previous=previous, receiver=receiver, now=now)
    return deal


def _writable(actor: Membership, deal_id: int) -> Deal:
    return get_visible(actor, Deal.objects.select_related("pipeline", "stage", "client"), deal_id, for_write=True)


def _check_version(deal: Deal, version: int, fields: list[str]) -> None:
    if deal.version != version:
        current = {name: snapshot(deal, [name])[name] for name in fields}
        raise StaleVersion(deal, current, current, deal.version)


@transaction.atomic
def deal_update(actor: Membership, deal_id: int, *, version: int, values: dict[str, Any]) -> Deal:
    """Change the keys given; the current stage's required fields cannot be emptied."""
    deal = _writable(actor, deal_id)
    before = snapshot(deal, FIELDS)
    contacts = _apply(actor, deal, values, creating=False)
    if deal.is_open:
        _require_fields(deal, deal.stage, contacts)
    save_versioned(deal, expected_version=version, fields=FIELDS)
    if contacts is not None:
        _set_contacts(deal, contacts)
    changes = diff(before, snapshot(deal, FIELDS))
    if changes or contacts is not None:
        _event(actor, "deal.changed", deal, changes)
    return deal


@transaction.atomic
def deal_move(
    actor: Membership, deal_id: int, *, stage_id: Any, version: int, values: dict[str, Any] | None = None
) -> Deal:
    """Move an open deal to another stage (of its pipeline or of another pipeline in use),
    writing the stage history. `values` fills fields the new stage requires, in the same
    transaction; without them the move is refused naming each missing field."""
    deal = _writable(actor, deal_id)
    if not deal.is_open:
        raise invalid("stage", _("A closed deal does not move; reopen it first."))
    stage = _stage(actor, stage_id)
    if stage.pk == deal.stage_id and not values:
        _check_version(deal, version, ["stage"])
        return deal
    before = snapshot(deal, [*FIELDS, "pipeline", "stage", "probability"])
    contacts = _apply(actor, deal, values or {}, creating=False)
    _require_fields(deal, stage, contacts)
    now = timezone.now()
    moved = stage.pk != deal.stage_id
    receiver = None
    previous = deal.owner_id
    if moved:
        deal.pipeline_id = stage.pipeline_id
        deal.pipeline = stage.pipeline
        deal.stage = stage
        deal.probability = stage.probability if "probability" not in (values or {}) else deal.probability
        deal.stage_entered_at = now
        receiver = handoff_target(deal, stage)
        if receiver is not None:
            deal.owner_id = receiver.user_id
    fields = [*FIELDS, "pipeline", "stage", "probability", "stage_entered_at"]
    save_versioned(deal, expected_version=version, fields=fields)
    if contacts is not None:
        _set_contacts(deal, contacts)
    if moved:
        _leave(actor, deal, now)
        _enter(actor, deal, stage, now)
    after = snapshot(deal, [*FIELDS, "pipeline", "stage", "probability"])
    _event(actor, "deal.stage_changed" if moved else "deal.changed", deal, diff(before, after))
    if receiver is not None:
        deal_hand_off(actor, deal, stage, previous=previous, receiver=receiver, now=now)
    return deal


def _close(actor: Membership, deal: Deal, version: int, status: str, **extra: Any) -> None:
    if not deal.is_open:
        raise invalid("status", _("The deal is already closed."))
    now = timezone.now()
    deal.status = status
    deal.closed_at = now
    for name, value in extra.items():
        setattr(deal, name, value)
    save_versioned(
        deal,
        expected_version=version,
        fields=["status", "closed_at", "probability", "loss_reason", "loss_note"],
    )
    _leave(actor, deal, now)


@transaction.atomic
def deal_win(actor: Membership, deal_id: int, *, version: int) -> Deal:
    """Close the deal as won (probability 100%); its last stage is kept."""
    deal = _writable(actor, deal_id)
    before = snapshot(deal, ["status", "probability"])
    _close(actor, deal, version, DealStatus.WON, probability=100, loss_reason=None, loss_note="")
    _event(actor, "deal.won", deal, diff(before, snapshot(deal, ["status", "probability"])))
    return deal


@transaction.atomic
def deal_lose(actor: Membership, deal_id: int, *, version: int, reason: Any, note: str = "") -> Deal:
    """Close the deal as lost. A reason from the workspace's list is required; the stage
    the deal was in stays, so the funnel shows where clients refuse."""
    deal = _writable(actor, deal_id)
    try:
        reason_pk = int(reason)
    except (TypeError, ValueError):
        raise invalid("loss_reason", _("Choose why the deal was lost."), code="required") from None
    loss_reason = LossReason.objects.filter(workspace_id=actor.workspace_id, pk=reason_pk, is_active=True).first()
    if loss_reason is None:
        raise invalid("loss_reason", _("Choose a reason from the list."))
    note = text({"loss_note": note}, "loss_note", 500)
    before = snapshot(deal, ["status", "probability", "loss_reason", "loss_note"])
    _close(actor, deal, version, DealStatus.LOST, probability=0, loss_reason=loss_reason, loss_note=note)
    _event(
        actor, "deal.lost", deal, diff(before, snapshot(deal, ["status", "probability", "loss_reason", "loss_note"]))
    )
    return deal


@transaction.atomic
def deal_reopen(actor: Membership, deal_id: int, *, version: int) -> Deal:
    """Open a won or lost deal again in the stage it was closed in."""
    deal = _writable(actor, deal_id)
    if deal.is_open:
        raise invalid("status", _("The deal is open."))
    if not deal.pipeline.is_active:
        raise invalid("pipeline", _("The deal's pipeline is out of use."))
    before = snapshot(deal, ["status", "probability", "loss_reason"])
    now = timezone.now()
    deal.status = DealStatus.OPEN
    deal.closed_at = None
    deal.loss_reason = None
    deal.loss_note = ""
    deal.probability = deal.stage.probability
    deal.stage_entered_at = now
    save_versioned(
        deal,
        expected_version=version,
        fields=["status", "closed_at", "loss_reason", "loss_note", "probability", "stage_entered_at"],
    )
    _enter(actor, deal, deal.stage, now)
    _event(actor, "deal.reopened", deal, diff(before, snapshot(deal, ["status", "probability", "loss_reason"])))
    return deal


@transaction.atomic
def deal_delete(actor: Membership, deal_id: int) -> None:
    deal = get_visible(actor, Deal, deal_id, for_write=True, action="delete")
    if SalesDocument.objects.filter(deal=deal).exists():
        # Issued documents are numbered records of the workspace: they keep their deal.
        raise invalid(
            "deal",
            _("Documents have been issued for this deal, so it is kept; close it as lost instead."),
            code="has_documents",
        )
    _event(actor, "deal.deleted", deal, {"title": [deal.title, None]})
    deal.delete()


def requirable_label(key: str) -> str:
    return str(REQUIRABLE_FIELDS.get(key, key))
