"""Orders on the pages: the list, one order (payments, shipments, cancellation), a direct
order, and the order of a won deal from the deal's page.

Every action posts a plain form to its own address: done, it redirects back to the
order with a message; refused, the order page comes again (400, 409 for a stale cancel)
with the service's messages next to that form, and nothing is written (each service
runs in one transaction). Who may do what is the services' rule; the pages only hide
the forms a member could not use.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.clients.lookup import visible_client
from relata.core.access import get_visible, require
from relata.core.concurrency import StaleVersion
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.orders.forms import (
    CancelForm,
    OrderFilterForm,
    OrderForm,
    OrderLineFormSet,
    PaymentForm,
    ReservationOptionsForm,
    ShipmentForm,
    product_choices,
)
from relata.orders.models import Order, OrderStatus
from relata.orders.selectors.orders import (
    order_document_get,
    order_documents,
    order_get,
    order_lines,
    order_may_cancel,
    order_payments,
    order_purchase_requests,
    order_shipments,
    orders_visible_to,
    shipment_get,
)
from relata.orders.selectors.stock import movements_visible_to
from relata.orders.services.orders import (
    order_cancel,
    order_create,
    order_create_from_deal,
    payment_create,
    shipment_create,
)
from relata.orders.services.shipment_documents import shipment_documents_issue
from relata.sales.selectors.deals import deals_visible_to
from relata.sales.views.documents import pdf_response
from relata.web.editing import render_form, run_action, save_form

PAGE_SIZE = 50
MOVEMENTS_SHOWN = 200
OPEN_STATUSES = (OrderStatus.RESERVED, OrderStatus.PAID)


def _actor(request: HttpRequest) -> Membership:
    return request.actor  # type: ignore[attr-defined, no-any-return]


def _client_or_none(actor: Membership, client_id: Any) -> Any:
    """The client the picker starts with, if the actor may see it."""
    if not client_id:
        return None
    try:
        return visible_client(actor, client_id)
    except ValidationError:
        return None


# --- The list ---------------------------------------------------------------------


@permission_required("catalog", "view")
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = OrderFilterForm(request.GET or None)
    status, client_id = "", None
    if form.is_bound and form.is_valid():
        status, client_id = form.cleaned_data["status"] or "", form.cleaned_data["client"]
    orders = (
        orders_visible_to(actor, status=status, client_id=client_id)
        .prefetch_related(None)
        .select_related("client", "deal")
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {name: value for name, value in (("status", status), ("client", client_id)) if value}
    context = {
        "page": page,
        "filter_form": form,
        "client": _client_or_none(actor, client_id),
        "client_id": client_id,
        "filtered": bool(filters),
        "query": urlencode(filters),
        "can_create": actor.can("catalog", "create"),
    }
    return render(request, "orders/orders/orders.html", context)


# --- One order --------------------------------------------------------------------


def _order_page(
    request: HttpRequest,
    order: Order,
    *,
    payment_form: PaymentForm | None = None,
    shipment_form: ShipmentForm | None = None,
    cancel_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    lines = list(order_lines(actor, order))
    can_change = actor.can("catalog", "change")
    is_open = order.status != OrderStatus.CANCELLED
    anything_shipped = any(line.shipped > 0 for line in lines)
    context = {
        "order": order,
        "lines": lines,
        "payments": list(order_payments(actor, order)),
        "shipments": list(order_shipments(actor, order)),
        "movements": list(
            movements_visible_to(actor, order_id=order.pk).select_related("author", "product")[:MOVEMENTS_SHOWN]
        ),
        "movements_limit": MOVEMENTS_SHOWN,
        "purchase_requests": list(order_purchase_requests(actor, order)),
        "shows_payment": can_change and is_open and order.due > 0,
        "shows_shipment": can_change and is_open and any(line.reserved > 0 for line in lines),
        "shows_cancel": order.status in OPEN_STATUSES and not anything_shipped and order_may_cancel(actor, order),
        "payment_form": payment_form or PaymentForm(),
        "shipment_form": shipment_form or ShipmentForm(lines=lines, with_documents=order.deal_id is not None),
        "documents": order_documents(actor, order),
        "issues_documents": can_change and order.deal_id is not None,
        "cancel_errors": cancel_errors or [],
    }
    return render(request, "orders/orders/order.html", context, status=status)


@permission_required("catalog", "view")
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, order_get(_actor(request), pk))


def _order_url(order: Order) -> str:
    return reverse("orders:order", args=[order.pk])


@permission_required("catalog", "view")
@require_POST
def order_pay(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    order = order_get(actor, pk)
    require(actor, "catalog", "change")
    form = PaymentForm(request.POST)
    outcome = save_form(
        request,
        form,
        lambda _data: payment_create(actor, order.pk, values=form.values()),
        success_url=_order_url(order),
        success_message=lambda payment: (
            _("The payment of %(amount)s %(currency)s is recorded.")
            % {"amount": payment.amount, "currency": order.currency}
        ),
    )
    return outcome.redirect or _order_page(request, order, payment_form=form, status=400)


@permission_required("catalog", "view")
@require_POST
def order_ship(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    order = order_get(actor, pk)
    require(actor, "catalog", "change")
    form = ShipmentForm(request.POST, lines=list(order_lines(actor, order)), with_documents=order.deal_id is not None)
    outcome = save_form(
        request,
        form,
        lambda _data: shipment_create(actor, order.pk, values=form.values()),
        success_url=_order_url(order),
        success_message=_("The shipment is recorded: its goods are written off the stock."),
    )
    return outcome.redirect or _order_page(request, order, shipment_form=form, status=400)


@permission_required("catalog", "view")
@require_POST
def shipment_documents_view(request: HttpRequest, pk: int, shipment_pk: int) -> HttpResponse:
    """Issue the waybill (and the act) of a shipment made without them."""
    actor = _actor(request)
    order = order_get(actor, pk)
    require(actor, "catalog", "change")
    shipment = shipment_get(actor, order, shipment_pk)
    run_action(
        request,
        lambda: shipment_documents_issue(actor, shipment.pk),
        success_message=_("The shipment's documents are issued."),
    )
    return HttpResponseRedirect(_order_url(order))


@permission_required("catalog", "view")
@require_GET
def order_document_pdf(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """A shipment document's PDF, for whoever sees the order (the storekeeper included)."""
    actor = _actor(request)
    document = order_document_get(actor, order_get(actor, pk), document_pk)
    return pdf_response(document, download=request.GET.get("download") == "1")


@permission_required("catalog", "view")
@require_POST
def order_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    order = order_get(actor, pk)
    if not order_may_cancel(actor, order):
        raise PermissionDenied("catalog.change")
    form = CancelForm(request.POST)
    if not form.is_valid():
        # Only a hand-made request lacks the version: the page always sends it.
        return _order_page(request, order, cancel_errors=[_("Reload the page and try again.")], status=400)
    try:
        order_cancel(actor, order.pk, version=form.cleaned_data["version"])
    except StaleVersion:
        stale = _(
            "Someone changed this order after you opened it (a payment or a shipment may have been recorded). "
            "Look at it again, then cancel it if you still want to."
        )
        return _order_page(request, order_get(actor, pk), cancel_errors=[stale], status=409)
    except ValidationError as error:
        return _order_page(request, order, cancel_errors=error.messages, status=400)
    messages.success(request, _("The order is cancelled and its reservation released."))
    return HttpResponseRedirect(_order_url(order))


# --- New orders -------------------------------------------------------------------


@permission_required("catalog", "create")
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest) -> HttpResponse:
    """A direct order: its client, where it is reserved, and its lines."""
    actor = _actor(request)
    initial: dict[str, Any] = {"currency": actor.workspace.default_currency}
    if request.GET.get("client", "").isdigit():
        initial["client"] = int(request.GET["client"])
    posted = request.POST if request.method == "POST" else None
    form = OrderForm(posted, actor=actor, initial=initial)
    lines = OrderLineFormSet(posted, prefix="lines", form_kwargs={"products": product_choices(actor)})
    status = 200
    if posted is not None:
        status = 400
        if form.is_valid() and lines.is_valid():
            try:
                order = order_create(actor, values={**form.values(), "lines": lines.rows()})
            except ValidationError as error:
                for message in lines.add_service_error(error):
                    form.add_error(None, message)
                header = {name: errors for name, errors in error.error_dict.items() if not name.startswith("lines")}
                if header:
                    form.add_service_error(ValidationError(header))
            else:
                messages.success(request, _("Order № %(number)s is created.") % {"number": order.number})
                return HttpResponseRedirect(_order_url(order))
    client_id = request.POST.get("client") if posted is not None else initial.get("client")
    context = {"form": form, "lines": lines, "client": _client_or_none(actor, client_id)}
    return render(request, "orders/orders/order_form.html", context, status=status)


@permission_required("catalog", "view")
@require_http_methods(["GET", "POST"])
def order_from_deal(request: HttpRequest, deal_pk: int) -> HttpResponse:
    """The order of a won deal (posted from the deal page's "Orders" panel). A refusal,
    such as stock too short without a recorded shortage, shows on this small page."""
    actor = _actor(request)
    deal = get_visible(actor, deals_visible_to(actor), deal_pk, for_write=True)
    form = ReservationOptionsForm(request.POST or None, actor=actor)
    outcome = save_form(
        request,
        form,
        lambda _data: order_create_from_deal(actor, deal.pk, values=form.values()),
        success_url=_order_url,
        success_message=lambda order: _("Order № %(number)s is created.") % {"number": order.number},
    )
    return render_form(request, "orders/orders/order_from_deal.html", form, outcome, {"deal": deal})


urls: list[URLPattern] = [
    path("", order_list, name="orders"),
    path("new/", order_new, name="order_new"),
    path("from-deal/<int:deal_pk>/", order_from_deal, name="order_from_deal"),
    path("<int:pk>/", order_detail, name="order"),
    path("<int:pk>/payments/", order_pay, name="order_pay"),
    path("<int:pk>/shipments/", order_ship, name="order_ship"),
    path("<int:pk>/cancel/", order_cancel_view, name="order_cancel"),
    path("<int:pk>/shipments/<int:shipment_pk>/documents/", shipment_documents_view, name="shipment_documents"),
    path("<int:pk>/documents/<int:document_pk>/pdf/", order_document_pdf, name="order_document"),
]
