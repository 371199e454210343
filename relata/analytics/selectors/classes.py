"""Reads of the stored client classes, within the actor's scope over the clients (a
manager with scope "own" sees only the classes of their own clients): `analytics.view`
and the client's owner, through `scope_queryset`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from relata.analytics.models import AbcClass, ClientClass, RfmSegment, XyzClass
from relata.analytics.services.recompute import JOB_KIND
from relata.clients.models import Client
from relata.core.access import require, scope_queryset
from relata.core.models import Job, Membership
from relata.core.money import CENT
from relata.core.selectors.jobs import jobs_visible_to


def classes_visible_to(
    actor: Membership, *, abc: str | None = None, xyz: str | None = None, segment: str | None = None
) -> QuerySet[ClientClass]:
    """The classes of the clients the actor may see, highest revenue first."""
    if not actor.can("clients", "view"):  # the owner scope is ClientClass's own (client__owner)
        return ClientClass.objects.none()
    queryset = (
        scope_queryset(actor, ClientClass.objects.all()).select_related("client").order_by("-revenue", "client_id")
    )
    if abc:
        queryset = queryset.filter(abc=abc)
    if xyz:
        queryset = queryset.filter(xyz=xyz)
    if segment:
        queryset = queryset.filter(rfm_segment=segment)
    return queryset


def client_class_get(actor: Membership, client: Client) -> ClientClass | None:
    """The class of a client the actor was allowed to see (None: no purchases in the
    period, or never computed)."""
    return classes_visible_to(actor).filter(client_id=client.pk).first()


def client_class_for(actor: Membership, client_id: int) -> ClientClass:
    """The class of client `client_id`: 404 when the client is not visible to the actor
    (never revealing it exists) or has no class."""
    require(actor, "analytics", "view")
    found = classes_visible_to(actor).filter(client_id=client_id).first()
    if found is None:
        raise Http404("client class")
    return found


@dataclass(frozen=True)
class MatrixCell:
    abc: str
    xyz: str
    clients: int
    revenue: Decimal


@dataclass(frozen=True)
class Matrix:
    cells: list[MatrixCell]
    rows: list[tuple[str, list[MatrixCell]]]  # per ABC class (and "" for none), per XYZ
    clients: int
    revenue: Decimal


def abc_xyz_matrix(actor: Membership) -> Matrix:
    """Client count and revenue per ABC×XYZ cell over the visible clients (one aggregate
    query). The row and column "" hold the clients without a class."""
    rows = (
        classes_visible_to(actor).order_by().values("abc", "xyz").annotate(clients=Count("id"), revenue=Sum("revenue"))
    )
    found = {
        (row["abc"], row["xyz"]): MatrixCell(row["abc"], row["xyz"], row["clients"], row["revenue"].quantize(CENT))
        for row in rows
    }
    abcs = [*AbcClass.values, ""]
    xyzs = [*XyzClass.values, ""]
    table = [(abc, [found.get((abc, xyz), MatrixCell(abc, xyz, 0, Decimal("0.00"))) for xyz in xyzs]) for abc in abcs]
    cells = [cell for _abc, line in table for cell in line]
    return Matrix(
        cells=cells,
        rows=table,
        clients=sum(c.clients for c in cells),
        revenue=sum((c.revenue for c in cells), Decimal("0.00")),
    )


def client_classes_panel(actor: Membership, client: Client) -> dict[str, object]:
    """The analytics panel of the client's card."""
    return {"client": client, "cls": client_class_get(actor, client)}


def segment_counts(actor: Membership) -> list[tuple[str, str, int]]:
    """(segment, label, visible clients in it) for every RFM segment (one query)."""
    rows = classes_visible_to(actor).order_by().values("rfm_segment").annotate(n=Count("id"))
    counts = {row["rfm_segment"]: row["n"] for row in rows}
    return [(value, str(label), counts.get(value, 0)) for value, label in RfmSegment.choices]


def last_recompute(actor: Membership) -> Job | None:
    """The latest recomputation the actor may see (its own; administrators: any)."""
    return jobs_visible_to(actor).filter(kind=JOB_KIND).order_by("-pk").first()
