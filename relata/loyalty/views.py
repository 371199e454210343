"""Loyalty pages: cards (list, issue, a card's page with balance, tier, ledger and
purchase history, and its actions), programmes with their tiers. Thin: forms parse,
services decide, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.clients.lookup import visible_client
from relata.core.decorators import permission_required
from relata.core.inputs import as_id
from relata.core.models import Membership
from relata.loyalty.forms import AdjustForm, BlockForm, CardForm, ProgrammeForm, SpendForm, TierForm
from relata.loyalty.models import Card, Programme
from relata.loyalty.selectors.loyalty import (
    active_programmes,
    card_get,
    card_ledger,
    card_purchases,
    cards_visible_to,
    orders_payable_with_points,
    programme_get,
    programmes_visible_to,
    purchase_points,
)
from relata.loyalty.services.cards import card_issue, card_set_blocked
from relata.loyalty.services.points import points_adjust, points_spend
from relata.loyalty.services.programmes import programme_create, programme_update, tier_create
from relata.web.editing import render_form, save_form

PER_PAGE = 50


def _actor(request: HttpRequest) -> Membership:
    return request.actor  # type: ignore[attr-defined,no-any-return]


# --- Cards --------------------------------------------------------------------------------


@permission_required("loyalty", "view")
@require_GET
def card_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    q = request.GET.get("q", "").strip()
    cards = cards_visible_to(actor, number=q)
    page = Paginator(cards, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "loyalty/cards.html", {"cards": page, "q": q})


@permission_required("loyalty", "create")
@require_http_methods(["GET", "POST"])
def card_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    programmes = [(p.pk, f"{p.name} ({p.currency})") for p in active_programmes(actor)]
    holder_id = as_id(request.POST.get("holder") if request.method == "POST" else request.GET.get("holder"))
    holder = None
    if holder_id:
        try:
            holder = visible_client(actor, holder_id, "holder")
        except ValidationError:
            holder = None
    initial: dict[str, Any] = {"holder": holder.pk if holder else None}
    if len(programmes) == 1:
        initial["programme"] = programmes[0][0]
    form = CardForm(request.POST or None, programmes=[("", "—"), *programmes], initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: card_issue(actor, values=form.values()),
        success_url=lambda card: reverse("loyalty:card", args=[card.pk]),
        success_message=lambda card: _("Card %(number)s has been issued.") % {"number": card.number},
    )
    return render_form(request, "loyalty/card_form.html", form, outcome, {"holder": holder})


def _card_page(
    request: HttpRequest, actor: Membership, card: Card, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    ledger = Paginator(card_ledger(actor, card), PER_PAGE).get_page(request.GET.get("page"))
    purchases = list(card_purchases(actor, card)[:PER_PAGE])
    points = purchase_points(card, purchases)
    can_change = actor.can("loyalty", "change")
    can_spend = actor.can("catalog", "change")
    forms = forms or {}
    if can_spend and "spend" not in forms:
        forms["spend"] = SpendForm(orders=_order_choices(actor, card))
    context = {
        "card": card,
        "ledger": ledger,
        "purchases": [(order, points[order.pk]) for order in purchases],
        "can_change": can_change,
        "can_spend": can_spend,
        "adjust_form": forms.get("adjust") or (AdjustForm() if can_change else None),
        "spend_form": forms.get("spend"),
    }
    return render(request, "loyalty/card.html", context, status=status)


def _order_choices(actor: Membership, card: Card) -> list[tuple[Any, str]]:
    choices: list[tuple[Any, str]] = [("", "—")]
    for order in orders_payable_with_points(actor, card)[:100]:
        label = _("№ %(number)s: %(due)s %(currency)s owed") % {
            "number": order.number,
            "due": order.due,
            "currency": order.currency,
        }
        choices.append((order.pk, label))
    return choices


@permission_required("loyalty", "view")
@require_GET
def card_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _card_page(request, actor, card_get(actor, pk))


@permission_required("loyalty", "change")
@require_POST
def card_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    card = card_get(actor, pk)
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            entry = points_adjust(actor, card.pk, points=form.cleaned_data["points"], note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(points)+d points recorded.") % {"points": entry.points})
            return HttpResponseRedirect(reverse("loyalty:card", args=[card.pk]))
    return _card_page(request, actor, card, {"adjust": form}, status=400)


@permission_required("loyalty", "view")
@require_POST
def card_spend(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay part of an order with points (also needs `catalog.change`: the service checks)."""
    actor = _actor(request)
    card = card_get(actor, pk)
    form = SpendForm(request.POST, orders=_order_choices(actor, card) if actor.can("catalog", "change") else [])
    entry = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = points_spend(actor, card.pk, order_id=data["order"], points=data["points"], note=data["note"])
        except ValidationError as error:
            form.add_service_error(error)
    if entry is None:
        return _card_page(request, actor, card, {"spend": form}, status=400)
    messages.success(
        request,
        ngettext(
            "%(points)d point paid %(amount)s %(currency)s of the order.",
            "%(points)d points paid %(amount)s %(currency)s of the order.",
            -entry.points,
        )
        % {"points": -entry.points, "amount": entry.amount, "currency": card.programme.currency},
    )
    return HttpResponseRedirect(reverse("loyalty:card", args=[card.pk]))


@permission_required("loyalty", "change")
@require_POST
def card_block(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    card = card_get(actor, pk)
    form = BlockForm(request.POST)
    blocked = bool(form.is_valid() and form.cleaned_data["blocked"])
    try:
        card_set_blocked(actor, card.pk, blocked=blocked, note=request.POST.get("note", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The card is blocked.") if blocked else _("The card is unblocked."))
    return HttpResponseRedirect(reverse("loyalty:card", args=[card.pk]))


# --- Programmes ---------------------------------------------------------------------------


@permission_required("loyalty", "view")
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "loyalty/programmes.html", {"programmes": programmes_visible_to(_actor(request))})


def _programme_form(request: HttpRequest, actor: Membership, programme: Programme | None) -> HttpResponse:
    if programme is None:
        initial: dict[str, Any] = {
            "currency": actor.workspace.default_currency,
            "earn_rate": "5",
            "point_value": "1",
            "max_share": "30",
            "lifetime_days": "365",
            "is_active": True,
        }
    else:
        initial = {
            name: getattr(programme, name)
            for name in ("name", "currency", "earn_rate", "point_value", "max_share", "lifetime_days", "is_active")
        }
        initial["version"] = programme.version
    form = ProgrammeForm(request.POST or None, initial=initial, is_new=programme is None)
    outcome = save_form(
        request,
        form,
        lambda data: (
            programme_create(actor, values=form.values())
            if programme is None
            else programme_update(actor, programme.pk, version=data["version"], values=form.values())
        ),
        success_url=lambda saved: reverse("loyalty:programme", args=[saved.pk]),
        success_message=_("The programme has been saved."),
    )
    return render_form(request, "loyalty/programme_form.html", form, outcome, {"programme": programme})


@permission_required("loyalty", "create")
@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest) -> HttpResponse:
    return _programme_form(request, _actor(request), None)


@permission_required("loyalty", "change")
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _programme_form(request, actor, programme_get(actor, pk))


def _programme_page(
    request: HttpRequest, actor: Membership, programme: Programme, form: TierForm | None = None, status: int = 200
) -> HttpResponse:
    can_create = actor.can("loyalty", "create")
    context = {
        "programme": programme,
        "tiers": list(programme.tiers.all()),
        "can_change": actor.can("loyalty", "change"),
        "tier_form": form or (TierForm() if can_create else None),
    }
    return render(request, "loyalty/programme.html", context, status=status)


@permission_required("loyalty", "view")
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _programme_page(request, actor, programme_get(actor, pk))


@permission_required("loyalty", "create")
@require_POST
def tier_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    programme = programme_get(actor, pk)
    form = TierForm(request.POST)
    if form.is_valid():
        try:
            tier = tier_create(actor, programme.pk, values=form.values())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The tier “%(name)s” has been added.") % {"name": tier.name})
            return HttpResponseRedirect(reverse("loyalty:programme", args=[programme.pk]))
    return _programme_page(request, actor, programme, form, status=400)


urls = [
    path("", card_list, name="cards"),
    path("cards/new/", card_new, name="card_new"),
    path("cards/<int:pk>/", card_detail, name="card"),
    path("cards/<int:pk>/adjust/", card_adjust, name="card_adjust"),
    path("cards/<int:pk>/spend/", card_spend, name="card_spend"),
    path("cards/<int:pk>/block/", card_block, name="card_block"),
    path("programmes/", programme_list, name="programmes"),
    path("programmes/new/", programme_new, name="programme_new"),
    path("programmes/<int:pk>/", programme_detail, name="programme"),
    path("programmes/<int:pk>/edit/", programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/tiers/", tier_new, name="tier_new"),
]
