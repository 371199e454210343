"""Segments: dynamic (a saved filter) or static (a list), and saved list views."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from relata.clients.filtering import definition_q, parse_definition
from relata.clients.models import Client, ClientKind, SavedView, Segment, SegmentMember
from relata.clients.models.segments import SegmentKind
from relata.clients.selectors.segments import segments_visible_to
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership

SEGMENT_FIELDS = ["name", "description", "definition", "is_shared"]


def _clean(actor: Membership, entity: str, kind: str, name: str, definition: Any) -> tuple[str, dict[str, Any]]:
    name = name.strip()
    if not name:
        raise invalid("name", _("Name the segment."))
    if len(name) > 150:
        raise invalid("name", _("At most %(n)d characters.") % {"n": 150})
    if entity not in ClientKind.values:
        raise invalid("entity", _("Choose companies or people."))
    if kind not in SegmentKind.values:
        raise invalid("kind", _("Choose dynamic or static."))
    cleaned = parse_definition(definition or {})
    definition_q(actor.workspace_id, entity, cleaned)  # every condition must make sense now
    return name, cleaned


def _editable(actor: Membership, segment_id: int) -> Segment:
    segment = get_visible(actor, segments_visible_to(actor), segment_id)
    if segment.owner_id != actor.user_id:
        require(actor, "clients", "assign")  # others' shared segments: heads of sales and admins
    return segment


@transaction.atomic
def segment_create(
    actor: Membership,
    *,
    name: str,
    entity: str,
    kind: str = SegmentKind.DYNAMIC,
    definition: Any = None,
    description: str = "",
    is_shared: bool = True,
) -> Segment:
    require(actor, "clients", "view")
    name, cleaned = _clean(actor, entity, kind, name, definition)
    segment = Segment.objects.create(
        workspace_id=actor.workspace_id,
        owner=actor.user,
        name=name,
        entity=entity,
        kind=kind,
        definition=cleaned if kind == SegmentKind.DYNAMIC else {},
        description=description.strip()[:300],
        is_shared=is_shared,
    )
    record_event(
        kind="segment.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=segment,
        changes=diff({}, snapshot(segment, SEGMENT_FIELDS)),
    )
    return segment


@transaction.atomic
def segment_update(
    actor: Membership,
    segment_id: int,
    *,
    version: int,
    name: str,
    definition: Any = None,
    description: str = "",
    is_shared: bool = True,
) -> Segment:
    segment = _editable(actor, segment_id)
    before = snapshot(segment, SEGMENT_FIELDS)
    segment.name, cleaned = _clean(actor, segment.entity, segment.kind, name, definition)
    segment.definition = cleaned if segment.kind == SegmentKind.DYNAMIC else {}
    segment.description, segment.is_shared = description.strip()[:300], is_shared
    save_versioned(segment, expected_version=version, fields=SEGMENT_FIELDS)
    changes = diff(before, snapshot(segment, SEGMENT_FIELDS))
    if changes:
        record_event(
            kind="segment.changed", workspace=actor.workspace, actor=actor.user, target=segment, changes=changes
        )
    return segment


@transaction.atomic
def segment_delete(actor: Membership, segment_id: int) -> None:
    from relata.clients.models import AssignmentRule

    segment = _editable(actor, segment_id)
    if AssignmentRule.objects.filter(segment=segment).exists():
        raise invalid("segment", _("An assignment rule uses this segment; change the rule first."))
    record_event(
        kind="segment.deleted",
        workspace=actor.workspace,
        actor=actor.user,
        target=segment,
        changes=diff(snapshot(segment, SEGMENT_FIELDS), {}),
    )
    try:
        with transaction.atomic():
            segment.delete()
    except ProtectedError as error:
        # Other apps' records that rely on the segment (task rules…) protect it.
        users = sorted({str(obj._meta.verbose_name) for obj in error.protected_objects})
        raise invalid(
            "segment", _("The segment is in use (%(users)s); change those first.") % {"users": ", ".join(users)}
        ) from error


@transaction.atomic
def segment_add_clients(actor: Membership, segment_id: int, client_ids: list[int]) -> int:
    """Add visible clients to a static segment; returns how many were added."""
    segment = _editable(actor, segment_id)
    if segment.kind != SegmentKind.STATIC:
        raise invalid("segment", _("Clients are added to static segments only."))
    visible = scope_queryset(actor, Client.objects.filter(kind=segment.entity, pk__in=client_ids))
    ids = list(visible.values_list("pk", flat=True))
    before = SegmentMember.objects.filter(segment=segment).count()
    SegmentMember.objects.bulk_create(
        [SegmentMember(workspace_id=actor.workspace_id, segment=segment, client_id=pk) for pk in ids],
        ignore_conflicts=True,
    )
    return SegmentMember.objects.filter(segment=segment).count() - before


@transaction.atomic
def segment_remove_clients(actor: Membership, segment_id: int, client_ids: list[int]) -> int:
    segment = _editable(actor, segment_id)
    visible = scope_queryset(actor, Client.objects.filter(pk__in=client_ids)).values("pk")
    deleted, _details = SegmentMember.objects.filter(segment=segment, client_id__in=visible).delete()
    return deleted


@transaction.atomic
def saved_view_save(
    actor: Membership, *, entity: str, name: str, query: str, columns: list[str], is_shared: bool = False
) -> SavedView:
    require(actor, "clients", "view")
    name = name.strip()[:100]
    if not name:
        raise invalid("name", _("Name the view."))
    view, _created = SavedView.objects.update_or_create(
        workspace_id=actor.workspace_id,
        user=actor.user,
        entity=entity,
        name=name,
        defaults={"query": query[:2000], "columns": columns[:40], "is_shared": is_shared},
    )
    return view


@transaction.atomic
def saved_view_delete(actor: Membership, view_id: int) -> str:
    """Delete one of the actor's own views; returns its entity (company or person)."""
    view = SavedView.objects.filter(workspace_id=actor.workspace_id, user=actor.user, pk=view_id).first()
    if view is None:
        raise invalid("view", _("You can delete only your own views."))
    view.delete()
    return view.entity
