"""Merging two records of one client: the survivor keeps its id and absorbs the other.

- Profile fields (scalars, status, owner, parent company, custom fields) are chosen per
  field: the survivor's value, or the absorbed record's. Unchosen fields keep the
  survivor's value, or take the absorbed one's where the survivor's is empty.
- Lists are combined without repeats: phones, e-mails, addresses, messengers, tags;
  consents keep the newer decision per channel; a person's jobs, a company's contact
  persons, subsidiaries and static-segment memberships move to the survivor.
- Every other app's records (deals, orders, activities…) move through the registry of
  `relata.clients.relations`; a foreign key to a client that nobody registered stops the
  merge instead of losing its rows.
- The absorbed record is deleted; a `ClientMergeLink` keeps its id meaning the survivor
  (old links and API ids resolve, and the survivor's timeline shows its past events),
  and one "client.merged" event on the survivor records its values and the choices.

All of it is one transaction; the survivor's version is checked first (a stale one is
refused with 409, before anything is written).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.clients.models import (
    Client,
    ClientAddress,
    ClientEmail,
    ClientKind,
    ClientMergeLink,
    ClientMessenger,
    ClientPhone,
    Consent,
    CustomField,
    DuplicatePair,
    Employment,
    ImportRowResult,
    SegmentMember,
)
from relata.clients.normalize import format_phone
from relata.clients.relations import client_relations, register_client_relation, unregistered_relations
from relata.clients.services.clients import client_snapshot, refresh_derived
from relata.clients.services.prepare import person_name, scalar_fields
from relata.core.access import get_visible, require
from relata.core.audit import diff, json_value, record_event
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership

SURVIVOR, ABSORBED = "survivor", "absorbed"
SIDES = (SURVIVOR, ABSORBED)
PERSON_NAME_PARTS = ("last_name", "first_name", "middle_name")


# --- The plan: what the merge would do ------------------------------------------------


@dataclass(frozen=True)
class MergeField:
    """One choosable field: both values, how they read, and the choice made by default."""

    key: str  # "name", "status", "inn", "custom.region"…
    label: Any
    survivor: Any
    absorbed: Any
    survivor_display: Any
    absorbed_display: Any
    default: str

    @property
    def differs(self) -> bool:
        return bool(json_value(self.survivor) != json_value(self.absorbed))


@dataclass(frozen=True)
class MergeList:
    """A list combined by the merge: what the survivor has, and what the other adds."""

    key: str
    label: Any
    kept: list[str]
    added: list[str]


@dataclass
class MergePlan:
    survivor: Client
    absorbed: Client
    fields: list[MergeField]
    lists: list[MergeList]
    moves: list[tuple[Any, int]] = field(default_factory=list)  # (label, rows) of related records

    @property
    def differing(self) -> list[MergeField]:
        return [f for f in self.fields if f.differs]

    @property
    def same(self) -> list[MergeField]:
        return [f for f in self.fields if not f.differs]

    def field(self, key: str) -> MergeField | None:
        return next((f for f in self.fields if f.key == key), None)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _model_label(name: str) -> Any:
    return capfirst(getattr(Client._meta.get_field(name), "verbose_name", name))


def _choice_display(client: Client, name: str) -> Any:
    value = getattr(client, name)
    if value and getattr(Client._meta.get_field(name), "choices", None):
        return getattr(client, f"get_{name}_display")()
    return value


def _parent_name(client: Client) -> str:
    return client.parent.name if client.parent is not None else ""


def _fields(survivor: Client, absorbed: Client) -> list[MergeField]:
    kind = survivor.kind
    specs: list[tuple[str, Any, Callable[[Client], Any], Callable[[Client], Any]]] = []
    if kind == ClientKind.COMPANY:
        specs.append(("name", _model_label("name"), lambda c: c.name, lambda c: c.name))
    specs += [
        ("status", _model_label("status"), lambda c: c.status_id, lambda c: c.status.display_name),
        ("owner", _model_label("owner"), lambda c: c.owner_id, lambda c: c.owner.full_name or c.owner.email),
    ]
    if kind == ClientKind.COMPANY:
        specs.append(("parent", _model_label("parent"), lambda c: c.parent_id, _parent_name))
    for name in scalar_fields(kind):
        specs.append(
            (
                name,
                _model_label(name),
                lambda c, name=name: getattr(c, name),  # type: ignore[misc]
                lambda c, name=name: _choice_display(c, name),  # type: ignore[misc]
            )
        )
    fields = []
    for key, label, raw, shown in specs:
        mine, theirs = raw(survivor), raw(absorbed)
        fields.append(
            MergeField(
                key,
                label,
                mine,
                theirs,
                shown(survivor),
                shown(absorbed),
                ABSORBED if _empty(mine) and not _empty(theirs) else SURVIVOR,
            )
        )
    labels = dict(
        CustomField.objects.filter(workspace_id=survivor.workspace_id, entity=kind).values_list("key", "label")
    )
    mine_custom, theirs_custom = survivor.custom or {}, absorbed.custom or {}
    for key in sorted(set(mine_custom) | set(theirs_custom), key=lambda k: (k not in labels, str(labels.get(k, k)))):
        mine, theirs = mine_custom.get(key), theirs_custom.get(key)
        fields.append(
            MergeField(
                f"custom.{key}",
                labels.get(key, key),
                mine,
                theirs,
                ", ".join(map(str, mine)) if isinstance(mine, list) else mine,
                ", ".join(map(str, theirs)) if isinstance(theirs, list) else theirs,
                ABSORBED if _empty(mine) and not _empty(theirs) else SURVIVOR,
            )
        )
    return fields


# How rows of a client's own lists are told apart (two rows with one key are one item).
def _phone_key(row: ClientPhone) -> Any:
    return (row.number, row.extension)


def _email_key(row: ClientEmail) -> Any:
    return row.email.lower()


def _address_key(row: ClientAddress) -> Any:
    return (
        row.kind,
        row.country,
        *(" ".join(v.lower().split()) for v in (row.region, row.city, row.street)),
        row.postcode,
    )


def _messenger_key(row: ClientMessenger) -> Any:
    return (row.kind, row.handle.lower().lstrip("@"))


def _phone_text(row: ClientPhone) -> str:
    number = format_phone(row.number)
    return f"{number} ({row.extension})" if row.extension else number


LIST_PARTS: list[tuple[str, Any, type[Model], Callable[[Any], Any], Callable[[Any], str]]] = [
    ("phones", gettext_lazy("Phones"), ClientPhone, _phone_key, _phone_text),
    ("emails", gettext_lazy("E-mails"), ClientEmail, _email_key, lambda r: r.email),
    ("addresses", gettext_lazy("Addresses"), ClientAddress, _address_key, str),
    ("messengers", gettext_lazy("Messengers"), ClientMessenger, _messenger_key, str),
]


def _lists(survivor: Client, absorbed: Client) -> list[MergeList]:
    lists = []
    for key, label, model, row_key, text in LIST_PARTS:
        mine = list(model._default_manager.filter(client=survivor))
        seen = {row_key(row) for row in mine}
        added = []
        for row in model._default_manager.filter(client=absorbed):
            if row_key(row) not in seen:
                seen.add(row_key(row))
                added.append(text(row))
        lists.append(MergeList(key, label, [text(row) for row in mine], added))
    mine_tags = sorted(survivor.tags.values_list("name", flat=True))
    lowered = {name.lower() for name in mine_tags}
    added_tags = sorted(n for n in absorbed.tags.values_list("name", flat=True) if n.lower() not in lowered)
    lists.append(MergeList("tags", gettext_lazy("Tags"), mine_tags, added_tags))
    consents = {c.channel: c for c in Consent.objects.filter(client=survivor)}
    newer = []
    for consent in Consent.objects.filter(client=absorbed):
        current = consents.get(consent.channel)
        if current is None or consent.changed_at > current.changed_at:
            newer.append(_consent_text(consent))
    lists.append(MergeList("consents", gettext_lazy("Consents"), [_consent_text(c) for c in consents.values()], newer))
    return lists


def _consent_text(consent: Consent) -> str:
    state = _("granted") if consent.granted else _("refused")
    return f"{consent.get_channel_display()}: {state} ({consent.changed_at:%Y-%m-%d})"


# Relations the page shows as lists above (their counts would repeat them).
_SHOWN_AS_LISTS = {
    "clients.clientphone.client",
    "clients.clientemail.client",
    "clients.clientaddress.client",
    "clients.clientmessenger.client",
    "clients.consent.client",
    "clients.client_tags.client",
    "clients.duplicatepair.client_a",
    "clients.duplicatepair.client_b",
    "clients.clientmergelink.survivor",
    "clients.importrowresult.client",
}


def _pair(actor: Membership, survivor_id: int, absorbed_id: int, *, lock: bool = False) -> tuple[Client, Client]:
    """Both clients, visible and changeable by the actor, of one kind (with `lock`, their
    rows locked in id order, so two merges of the same clients run one after the other)."""
    if survivor_id == absorbed_id:
        raise invalid("absorbed_id", _("Choose two different clients to merge."))
    queryset = Client.objects.select_related("status", "owner", "parent")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    loaded = {}
    for pk in sorted((survivor_id, absorbed_id)):
        loaded[pk] = get_visible(actor, queryset, pk, for_write=True)
    survivor, absorbed = loaded[survivor_id], loaded[absorbed_id]
    if survivor.kind != absorbed.kind:
        raise invalid("absorbed_id", _("A company and a person cannot be merged: choose two of the same kind."))
    return survivor, absorbed


def merge_plan(actor: Membership, *, survivor_id: int, absorbed_id: int) -> MergePlan:
    """What merging `absorbed_id` into `survivor_id` would do, for the merge page and the
    API's preview. Both must be visible and changeable by the actor (404 / 403)."""
    require(actor, "clients", "change")
    survivor, absorbed = _pair(actor, survivor_id, absorbed_id)
    return _plan(survivor, absorbed)


def _plan(survivor: Client, absorbed: Client) -> MergePlan:
    plan = MergePlan(survivor, absorbed, _fields(survivor, absorbed), _lists(survivor, absorbed))
    for relation in client_relations():
        if relation.key in _SHOWN_AS_LISTS:
            continue
        count = relation.count(absorbed)
        if count:
            plan.moves.append((relation.display, count))
    return plan


# --- Merging -------------------------------------------------------------------------


def _resolve(plan: MergePlan, choices: Mapping[str, str]) -> dict[str, str]:
    """The side of every field: the given choice, else the default. Unknown fields and
    sides are refused, each named."""
    keys = {f.key: f for f in plan.fields}
    problems: dict[str, list[str]] = {}
    for key, side in choices.items():
        if key not in keys:
            problems[f"choices.{key}"] = [_("There is no field “%(key)s” to choose.") % {"key": key}]
        elif side not in SIDES:
            problems[f"choices.{key}"] = [_("Choose “survivor” or “absorbed”.")]
    if problems:
        raise ValidationError(problems)
    return {f.key: choices.get(f.key) or f.default for f in plan.fields}


def _apply(actor: Membership, plan: MergePlan, sides: dict[str, str]) -> list[str]:
    """Copy the chosen values of the absorbed record onto the survivor (in memory);
    returns the model fields to write."""
    survivor, absorbed = plan.survivor, plan.absorbed
    parent_before = survivor.parent_id
    changed: list[str] = []
    custom = dict(survivor.custom or {})
    for merge_field in plan.fields:
        if sides[merge_field.key] != ABSORBED or not merge_field.differs:
            continue
        key = merge_field.key
        if key.startswith("custom."):
            name = key.split(".", 1)[1]
            if _empty(merge_field.absorbed):
                custom.pop(name, None)
            else:
                custom[name] = merge_field.absorbed
            continue
        attname = {"status": "status_id", "owner": "owner_id", "parent": "parent_id"}.get(key, key)
        setattr(survivor, attname, getattr(absorbed, attname))
        changed.append(attname)
    if custom != (survivor.custom or {}):
        survivor.custom = custom
        changed.append("custom")
    if survivor.kind == ClientKind.PERSON and any(name in changed for name in PERSON_NAME_PARTS):
        survivor.name = person_name({n: getattr(survivor, n) for n in PERSON_NAME_PARTS}) or survivor.name
        changed.append("name")
    if "owner_id" in changed:
        _check_owner(actor, plan)
    _check_parent(survivor, absorbed)
    if "parent_id" not in changed and survivor.parent_id != parent_before:
        changed.append("parent_id")
    return changed


def _check_owner(actor: Membership, plan: MergePlan) -> None:
    owner_id = plan.absorbed.owner_id
    if owner_id != actor.user_id:
        require(actor, "clients", "assign")
    if not Membership.objects.filter(workspace_id=actor.workspace_id, user_id=owner_id, is_active=True).exists():
        raise invalid("owner", _("The other record's owner no longer works in the workspace: keep this owner."))


def _check_parent(survivor: Client, absorbed: Client) -> None:
    """The merged company cannot be its own parent, directly or through a subsidiary of
    either record (those become the survivor's)."""
    if survivor.parent_id in (survivor.pk, absorbed.pk):
        survivor.parent_id = None
        return
    merged = {survivor.pk, absorbed.pk}
    seen: set[int] = set()
    current = survivor.parent_id
    while current is not None and current not in seen:
        if current in merged:
            raise invalid(
                "parent", _("The chosen parent company is a subsidiary of one of these records: choose the other.")
            )
        seen.add(current)
        current = Client.objects.filter(pk=current).values_list("parent_id", flat=True).first()


@transaction.atomic
def client_merge(
    actor: Membership,
    *,
    survivor_id: int,
    absorbed_id: int,
    choices: Mapping[str, str] | None = None,
    version: int,
    absorbed_version: int | None = None,
) -> Client:
    """Merge client `absorbed_id` into `survivor_id` (see the module's description).

    Needs `clients.change` on both (404 for one the actor cannot see, 403 without the
    permission), the same kind, and `clients.assign` to take the other record's owner
    unless it is the actor. `version` is the survivor's version the user saw (and
    `absorbed_version`, if given, the other's): a stale one raises StaleVersion. Locks
    both rows for the transaction. Returns the survivor as saved."""
    require(actor, "clients", "change")
    survivor, absorbed = _pair(actor, survivor_id, absorbed_id, lock=True)
    save_versioned(survivor, expected_version=version, fields=[])
    if absorbed_version is not None:
        save_versioned(absorbed, expected_version=absorbed_version, fields=[])
    plan = _plan(survivor, absorbed)
    sides = _resolve(plan, choices or {})
    before = client_snapshot(survivor)
    absorbed_values = client_snapshot(absorbed)
    changed = _apply(actor, plan, sides)
    if changed:
        Client.objects.filter(pk=survivor.pk).update(**{name: getattr(survivor, name) for name in changed})

    moved = {}
    for relation in client_relations():
        count = relation.move(actor, survivor, absorbed)
        if count:
            moved[relation.key] = count
    left = [
        model._meta.verbose_name_plural
        for model, name in unregistered_relations()
        if model._default_manager.filter(**{name: absorbed}).exists()
    ]
    if left:
        raise ValidationError(
            _("These clients cannot be merged yet: records of %(kinds)s would be lost. Tell your administrator.")
            % {"kinds": ", ".join(str(label) for label in left)}
        )

    ClientMergeLink.objects.create(
        workspace_id=actor.workspace_id,
        absorbed_id=absorbed.pk,
        survivor=survivor,
        absorbed_name=absorbed.name[:255],
        merged_by=actor.user,
        snapshot=absorbed_values,
    )
    absorbed_pk, absorbed_name = absorbed.pk, absorbed.name
    absorbed.delete()
    refresh_derived(survivor)
    survivor.refresh_from_db()
    record_event(
        kind="client.merged",
        workspace=actor.workspace,
        actor=actor.user,
        target=survivor,
        changes=diff(before, client_snapshot(survivor)),
        data={
            "absorbed_id": absorbed_pk,
            "absorbed_name": absorbed_name,
            "absorbed": absorbed_values,
            "choices": {key: side for key, side in sides.items() if plan.field(key).differs},  # type: ignore[union-attr]
            "moved": moved,
        },
    )
    return survivor


# --- The clients app's own relations --------------------------------------------------


def _combine(model: type[Model], row_key: Callable[[Any], Any], *, primary: bool) -> Callable[..., int]:
    """Move the absorbed client's rows that the survivor does not have yet; the survivor
    keeps its primary row."""

    def hook(actor: Membership, survivor: Client, absorbed: Client) -> int:
        manager = model._default_manager
        seen = {row_key(row) for row in manager.filter(client=survivor)}
        moving = []
        for row in manager.filter(client=absorbed).order_by("pk"):
            if row_key(row) not in seen:
                seen.add(row_key(row))
                moving.append(row.pk)
        values: dict[str, Any] = {"client": survivor}
        if primary and manager.filter(client=survivor, is_primary=True).exists():
            values["is_primary"] = False
        return manager.filter(pk__in=moving).update(**values) if moving else 0

    return hook


def _merge_consents(actor: Membership, survivor: Client, absorbed: Client) -> int:
    """Per channel, the newer decision wins (a refusal given later is not overridden)."""
    current = {c.channel: c for c in Consent.objects.filter(client=survivor)}
    moved = 0
    for consent in Consent.objects.filter(client=absorbed):
        mine = current.get(consent.channel)
        if mine is not None and consent.changed_at <= mine.changed_at:
            continue
        if mine is not None:
            mine.delete()
        moved += Consent.objects.filter(pk=consent.pk).update(client=survivor)
    return moved


def _merge_tags(actor: Membership, survivor: Client, absorbed: Client) -> int:
    mine = set(survivor.tags.values_list("pk", flat=True))
    adding = [tag for tag in absorbed.tags.all() if tag.pk not in mine]
    survivor.tags.add(*adding)
    return len(adding)


def _merge_employments(side: str, other: str) -> Callable[..., int]:
    """A person's jobs (side "person") or a company's staff (side "company"): moved,
    except where the survivor already has that link; then the absorbed link only fills
    the survivor's empty job title and department."""

    def hook(actor: Membership, survivor: Client, absorbed: Client) -> int:
        existing = {getattr(e, f"{other}_id"): e for e in Employment.objects.filter(**{side: survivor})}
        moved = 0
        for employment in Employment.objects.filter(**{side: absorbed}):
            target = getattr(employment, f"{other}_id")
            if target == survivor.pk:
                continue  # cannot happen across kinds; kept for safety
            mine = existing.get(target)
            if mine is None:
                moved += Employment.objects.filter(pk=employment.pk).update(**{side: survivor})
                continue
            filled = {
                name: getattr(employment, name)
                for name in ("job_title", "department")
                if not getattr(mine, name) and getattr(employment, name)
            }
            if filled:
                Employment.objects.filter(pk=mine.pk).update(**filled)
        return moved

    return hook


def _merge_subsidiaries(actor: Membership, survivor: Client, absorbed: Client) -> int:
    return Client.objects.filter(parent=absorbed).exclude(pk=survivor.pk).update(parent=survivor)


def _merge_segments(actor: Membership, survivor: Client, absorbed: Client) -> int:
    mine = SegmentMember.objects.filter(client=survivor).values("segment_id")
    return SegmentMember.objects.filter(client=absorbed).exclude(segment_id__in=mine).update(client=survivor)


def _drop_pairs(actor: Membership, survivor: Client, absorbed: Client) -> int:
    """Possible duplicates of the absorbed record are settled (the next scan finds the
    survivor's own)."""
    DuplicatePair.objects.filter(Q(client_a=absorbed) | Q(client_b=absorbed)).delete()
    return 0


register_client_relation(ClientPhone, "client", merge=_combine(ClientPhone, _phone_key, primary=True))
register_client_relation(ClientEmail, "client", merge=_combine(ClientEmail, _email_key, primary=True))
register_client_relation(ClientAddress, "client", merge=_combine(ClientAddress, _address_key, primary=True))
register_client_relation(ClientMessenger, "client", merge=_combine(ClientMessenger, _messenger_key, primary=False))
register_client_relation(Consent, "client", merge=_merge_consents)
register_client_relation(Client.tags.through, "client", merge=_merge_tags)
register_client_relation(
    Employment, "person", merge=_merge_employments("person", "company"), label=gettext_lazy("Jobs at companies")
)
register_client_relation(
    Employment, "company", merge=_merge_employments("company", "person"), label=gettext_lazy("Contact persons")
)
register_client_relation(Client, "parent", merge=_merge_subsidiaries, label=gettext_lazy("Subsidiaries"))
register_client_relation(SegmentMember, "client", merge=_merge_segments, label=gettext_lazy("Static segments"))
register_client_relation(DuplicatePair, "client_a", merge=_drop_pairs)
register_client_relation(DuplicatePair, "client_b", merge=_drop_pairs)
register_client_relation(ClientMergeLink, "survivor")  # earlier merges into the absorbed record follow it
register_client_relation(ImportRowResult, "client")
