"""Permission-matrix entries of loyalty (module "loyalty").

Programmes and tiers have no owner: `loyalty.view` reads them, administrators create and
change them. A card is visible with `loyalty.view` when its holder is: "Wallaby Ltd" is
manager 1's client, so the administrator, the head of sales (team above North), manager 1
and the read-only user see its card; manager 2 (scope own) must not learn it exists.
Spending points records a payment of the order: it also needs `catalog.change` (only the
administrator here). Adjusting and blocking need `loyalty.change`.
"""

from __future__ import annotations

from typing import Any

from relata.core.tests.matrix import Rule, World, api_rule, form, page
from relata.loyalty.tests.helpers import Shop, card, company, programme, tier

LEAK_MARKERS = ["Wallaby"]

SEES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 200}  # manager2 and workspace B: 404
SPENDS_API = {"admin": 201, "head": 403, "manager1": 403, "readonly": 403}
ADJUSTS_API = {"admin": 201, "head": 403, "manager1": 403, "readonly": 403}
BLOCKS_API = {"admin": 200, "head": 403, "manager1": 403, "readonly": 403}
SPENDS_PAGE = {"admin": 302, "head": 403, "manager1": 403, "readonly": 403}
CHANGES_PAGE = {"admin": 302, "head": 403, "manager1": 403, "manager2": 403, "readonly": 403}


def extend_world(world: World) -> None:
    p = world.p
    club = programme(p.admin, "Wallaby Club")
    gold = tier(p.admin, club, "Wallaby Gold", "100000", multiplier="2")
    holder = company(p.manager1, "Wallaby Ltd")
    wallaby_card = card(p.admin, club, holder, "WAL-1")
    shop = Shop(p.admin)
    paid = shop.order(holder, "1000")
    shop.pay(paid)  # earns 50 points
    open_order = shop.order(holder, "1000")
    other_holder = company(p.admin, "Wallaby Spare")
    world.extra.update(
        loyalty_programme=club,
        loyalty_tier=gold,
        loyalty_holder=holder,
        loyalty_spare_holder=other_holder,
        loyalty_card=wallaby_card,
        loyalty_open_order=open_order,
    )


def _card(w: World) -> dict[str, Any]:
    return {"card_id": w.loyalty_card.pk}


def _programme(w: World) -> dict[str, Any]:
    return {"programme_id": w.loyalty_programme.pk}


def _pk(name: str) -> Any:
    return lambda w: {"pk": getattr(w, name).pk}


def _new_card(w: World) -> dict[str, Any]:
    return {"programme": w.loyalty_programme.pk, "holder": w.loyalty_spare_holder.pk, "number": "MATRIX-1"}


def _programme_values(w: World) -> dict[str, Any]:
    return {
        "name": "Matrix programme",
        "currency": "RUB",
        "earn_rate": "3",
        "point_value": "1",
        "max_share": "20",
        "lifetime_days": "0",
        "is_active": "on",
    }


_CARD = "/api/v1/loyalty/cards/{card_id}"
_TIERS = "/api/v1/loyalty/programmes/{programme_id}/tiers"

API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/loyalty/programmes"): api_rule("loyalty.view"),
    ("POST", "/api/v1/loyalty/programmes"): api_rule("loyalty.create", 201, data=_programme_values),
    ("PATCH", "/api/v1/loyalty/programmes/{programme_id}"): api_rule(
        "loyalty.change",
        data=lambda w: {"version": w.loyalty_programme.version, "earn_rate": "4"},
        object_route=True,
        kwargs=_programme,
    ),
    ("PATCH", "/api/v1/loyalty/tiers/{tier_id}"): api_rule(
        "loyalty.change",
        data=lambda w: {"version": w.loyalty_tier.version, "discount": "5"},
        object_route=True,
        kwargs=lambda w: {"tier_id": w.loyalty_tier.pk},
    ),
    ("GET", _TIERS): api_rule("loyalty.view", object_route=True, kwargs=_programme),
    ("POST", _TIERS): api_rule(
        "loyalty.create",
        201,
        data=lambda w: {"name": "Matrix tier", "threshold": "777"},
        object_route=True,
        kwargs=_programme,
    ),
    ("GET", "/api/v1/loyalty/cards"): api_rule("loyalty.view"),
    ("POST", "/api/v1/loyalty/cards"): api_rule(
        "loyalty.create",
        201,
        data=lambda w: {
            "programme_id": w.loyalty_programme.pk,
            "holder_id": w.loyalty_spare_holder.pk,
            "number": "MATRIX-1",
        },
        foreign_data=422,
    ),
    ("GET", _CARD): api_rule("custom", object_route=True, kwargs=_card, expect=SEES),
    ("GET", _CARD + "/ledger"): api_rule("custom", object_route=True, kwargs=_card, expect=SEES),
    ("GET", _CARD + "/purchases"): api_rule("custom", object_route=True, kwargs=_card, expect=SEES),
    ("POST", _CARD + "/spend"): api_rule(
        "custom",
        201,
        data=lambda w: {"order_id": w.loyalty_open_order.pk, "points": "10"},
        object_route=True,
        kwargs=_card,
        expect=SPENDS_API,
    ),
    ("POST", _CARD + "/block"): api_rule(
        "custom",
        data=lambda w: {"blocked": True, "note": "Matrix"},
        object_route=True,
        kwargs=_card,
        expect=BLOCKS_API,
    ),
    ("POST", _CARD + "/adjust"): api_rule(
        "custom",
        201,
        data=lambda w: {"points": "5", "note": "Matrix"},
        object_route=True,
        kwargs=_card,
        expect=ADJUSTS_API,
    ),
}

PAGES: dict[str, Rule] = {
    "loyalty:cards": page("loyalty.view"),
    "loyalty:card_new": page("loyalty.create"),
    "loyalty:card": page("custom", object_route=True, kwargs=_pk("loyalty_card"), expect=SEES),
    "loyalty:card_adjust": form(
        "custom",
        lambda w: {"points": "5", "note": "Matrix"},
        object_route=True,
        kwargs=_pk("loyalty_card"),
        expect=CHANGES_PAGE,
    ),
    "loyalty:card_spend": form(
        "custom",
        lambda w: {"order": w.loyalty_open_order.pk, "points": "10"},
        object_route=True,
        kwargs=_pk("loyalty_card"),
        expect=SPENDS_PAGE,
    ),
    "loyalty:card_block": form(
        "custom",
        lambda w: {"blocked": "on"},
        object_route=True,
        kwargs=_pk("loyalty_card"),
        expect=CHANGES_PAGE,
    ),
    "loyalty:programmes": page("loyalty.view"),
    "loyalty:programme_new": page("loyalty.create"),
    "loyalty:programme": page("loyalty.view", object_route=True, kwargs=_pk("loyalty_programme")),
    "loyalty:programme_edit": page("loyalty.change", object_route=True, kwargs=_pk("loyalty_programme")),
    "loyalty:tier_new": form(
        "loyalty.create",
        lambda w: {"name": "Matrix tier", "threshold": "777"},
        object_route=True,
        kwargs=_pk("loyalty_programme"),
    ),
}

PAGE_POSTS: dict[str, Rule] = {
    "loyalty:card_new": form("loyalty.create", _new_card, foreign_data=400),
    "loyalty:programme_new": form("loyalty.create", _programme_values),
    "loyalty:programme_edit": form(
        "loyalty.change",
        lambda w: {**_programme_values(w), "name": "Wallaby Club", "version": w.loyalty_programme.version},
        object_route=True,
        kwargs=_pk("loyalty_programme"),
    ),
}
