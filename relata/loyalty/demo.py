"""The demo workspace's loyalty programme: «Кирпичный клуб» for private buyers, with three
tiers, a card for most private buyers who have bought, and the points their paid orders
earned — so that the client cards show a card, a tier and a balance, and the card pages a
purchase history.

Cards are issued and points earned through the services, oldest order first (as if each
payment had just been recorded), after the orders step (35). Idempotent: a workspace that
already has a programme is left alone.
"""

from __future__ import annotations

import random

from django.db import transaction

from relata.clients.models import ClientKind
from relata.core.demo import demo_administrator, register_demo_step
from relata.core.models import Workspace
from relata.loyalty.models import Programme
from relata.loyalty.services.cards import card_issue
from relata.loyalty.services.points import points_earn_for_order
from relata.loyalty.services.programmes import programme_create, tier_create
from relata.orders.models import Order, OrderStatus

ORDER = 36  # after the orders (35)
SEED = 7
SHARE_WITH_CARDS = 0.7  # of the private buyers who have bought
# Thresholds a few of the demo's private buyers pass (their paid orders reach some 320,000 ₽):
# at 300,000 whether anyone climbed depended on the moment the demo was drawn.
TIERS = (("Базовый", "0", "0", "1"), ("Серебряный", "150000", "3", "1.5"), ("Золотой", "300000", "5", "2"))


@transaction.atomic
def loyalty_demo(workspace: Workspace) -> None:
    """Fill the demo workspace's loyalty programme. Idempotent."""
    if Programme.objects.filter(workspace_id=workspace.pk).exists():
        return
    admin = demo_administrator(workspace)
    if admin is None:
        return
    programme = programme_create(
        admin,
        values={
            "name": "Кирпичный клуб",
            "currency": "RUB",
            "earn_rate": "3",
            "point_value": "1",
            "max_share": "20",
            "lifetime_days": "365",
        },
    )
    for name, threshold, discount, multiplier in TIERS:
        tier_create(
            admin,
            programme.pk,
            values={"name": name, "threshold": threshold, "discount": discount, "multiplier": multiplier},
        )
    rng = random.Random(SEED)  # noqa: S311  (demo data)
    paid = (
        Order.objects.filter(
            workspace_id=workspace.pk,
            client__kind=ClientKind.PERSON,
            status__in=[OrderStatus.PAID, OrderStatus.CLOSED],
        )
        .select_related("client")
        .order_by("created_at", "pk")
    )
    carded: dict[int, bool] = {}
    for order in paid:
        holder = order.client_id
        if holder not in carded:
            carded[holder] = rng.random() < SHARE_WITH_CARDS
            if carded[holder]:
                card_issue(
                    admin,
                    values={
                        "programme": programme.pk,
                        "number": f"KK-{100000 + holder}",
                        "holder": holder,
                        "issued_on": order.created_at.date().isoformat(),
                    },
                )
        payment = order.payments.order_by("-date", "-pk").first()
        if carded[holder] and payment is not None:
            points_earn_for_order(admin, order, payment)


register_demo_step(loyalty_demo, order=ORDER)
