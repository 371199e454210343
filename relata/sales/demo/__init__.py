"""The demo workspace's sales (relata.sales.demo): two pipelines and a year of deals of
"ООО «Кирпичный двор»", so that the boards, the funnel and the forecasts have something
true-looking to show.

- «Оборудование и материалы B2B» (the default pipeline, renamed; parallel sales): deals
  with the demo companies — bricks, blocks, cement, mesh, mixers, scaffolding, a
  batching plant — from 100 000 to 15 000 000 ₽, owned by the company's manager (or the
  head of sales), with the company's people as contact persons and, where the client
  compared, the competitors named.
- «Розница B2C» (conveyor sales): private buyers' houses, baths and fences, 5 000 to
  300 000 ₽; the Moscow team draws up the order («Оформление заказа»), so requests the
  head of sales took are handed to its manager there.

A year long, ending now: the open deals are mostly those of the last two months, the
older ones won or lost — most losses at the offer and in negotiation, for the price
first, then a competitor, then money, each with the stage it was lost at and often a
note. Deals follow their clients' lifecycle statuses (relata.clients.demo), never start
before the client came, and always meet the required fields of the stages they passed.

Drawn from one seed (`funnel`), written in bulk with their stage history and events
(`writing`). The step runs after the clients and before the activities, and registers
itself when this package is imported (from relata/sales/registrations.py). Idempotent:
a workspace that already has deals is left alone.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from relata.clients.models import Client, ClientKind, Employment
from relata.core.demo import register_demo_step
from relata.core.models import Membership, Workspace
from relata.sales.demo.funnel import PLANS, RETAIL_PLANS, Funnel, SalesClient
from relata.sales.demo.pipelines import Line, configure_pipelines
from relata.sales.demo.writing import write_deals
from relata.sales.models import Deal, LossReason

ORDER = 25  # after the clients (20), before the activities (30), which may come to mention deals
SELLERS = ("sales_manager", "head_of_sales")  # the roles whose members own the demo's deals


def _clients(workspace: Workspace, sellers: set[int]) -> tuple[list[SalesClient], list[SalesClient]]:
    """The companies and the private buyers (people working for no company) owned by the
    sellers and reachable by phone or e-mail, in a stable order."""
    ws = workspace.pk
    staff: dict[int, list[int]] = {}
    employed: set[int] = set()
    for job in Employment.objects.filter(workspace_id=ws).order_by("-is_primary", "pk"):
        staff.setdefault(job.company_id, []).append(job.person_id)
        employed.add(job.person_id)
    companies: list[SalesClient] = []
    buyers: list[SalesClient] = []
    rows = Client.objects.filter(workspace_id=ws, owner_id__in=sellers).select_related("status").order_by("pk")
    for client in rows:
        if not (client.primary_phone or client.primary_email) or (client.is_person and client.pk in employed):
            continue
        row = SalesClient(
            pk=client.pk,
            name=client.name,
            status=client.status.key if client.status and client.status.key else "considering",
            owner_id=client.owner_id,
            created_at=client.created_at,
            english=client.name.isascii(),
            staff=tuple(staff.get(client.pk, ())),
        )
        (companies if client.kind == ClientKind.COMPANY else buyers).append(row)
    return companies, buyers


def _draw(funnel: Funnel, line: Line, clients: list[SalesClient]) -> None:
    plans = RETAIL_PLANS if line.spec.retail else PLANS
    for client in clients:
        plan = plans.get(client.status, plans["considering"])
        for start in funnel.starts(client, plan):
            funnel.deal(line, client, start, plan)
        offer = funnel.offer_start(client) if plan.offer_now else None
        if offer is not None:
            funnel.deal(line, client, offer, plan, offer_now=True)


@transaction.atomic
def sales_demo(workspace: Workspace) -> None:
    """Set up the demo workspace's pipelines and fill them with a year of deals.
    Idempotent: a workspace with deals is left as it is; without clients it only gets
    the pipelines."""
    ws = workspace.pk
    if Deal.objects.filter(workspace_id=ws).exists():
        return
    members = list(
        Membership.objects.filter(workspace_id=ws, is_active=True)
        .select_related("role", "team", "user", "workspace")
        .order_by("user_id")
    )
    admin = next((m for m in members if m.role.key == "administrator"), None)
    if admin is None:
        return
    lines = configure_pipelines(admin)
    sellers = {m.user_id for m in members if m.role.key in SELLERS}
    head = next((m.user_id for m in members if m.role.key == "head_of_sales"), None)
    teams: dict[str, list[int]] = {}
    for member in members:
        if member.team is not None and member.user_id in sellers:
            teams.setdefault(member.team.name, []).append(member.user_id)
    funnel = Funnel(now=timezone.now(), time_zone=workspace.time_zone, head=head, teams=teams)
    companies, buyers = _clients(workspace, sellers)
    for line in lines:
        if not line.spec.retail:
            _draw(funnel, line, companies)
            continue
        # A buyer's order goes to the conveyor's team: its members' own buyers, whose
        # cards they can open (the head of sales sees them too).
        handed_to = [set(teams.get(s.team, ())) for s in line.spec.stages if s.team]
        owners = set.intersection(*handed_to) if handed_to else sellers
        _draw(funnel, line, [b for b in buyers if b.owner_id in owners])
    for line in lines:
        funnel.keep_every_stage_open(line)
    reasons = dict(LossReason.objects.filter(workspace_id=ws).exclude(key="").values_list("key", "pk"))
    write_deals(workspace, funnel, reasons)


register_demo_step(sales_demo, order=ORDER)

from relata.sales.demo import documents as _documents  # noqa: E402, F401  (registers its step)
