"""The storekeeper's pages: stock by warehouse, the movements ledger, receipts and
adjustments, warehouses, suppliers and purchase requests, and the orders to assemble
and ship. Reading needs `catalog.view`; the forms call the services of
relata/orders/services/stock.py, which check the rest (see that package's docstring)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from relata.catalog.selectors.products import product_get
from relata.clients.lookup import visible_client
from relata.core.decorators import permission_required
from relata.core.errors import ValidationError
from relata.core.inputs import as_id
from relata.core.models import Membership
from relata.orders.forms_stock import PurchaseRequestForm, ReceiveForm, StockForm, SupplierForm, WarehouseForm
from relata.orders.models import MovementKind, PurchaseRequest, PurchaseStatus, StockMovement
from relata.orders.selectors.orders import order_get
from relata.orders.selectors.stock import purchase_request_get, suppliers_visible_to, warehouses_visible_to
from relata.orders.selectors.storekeeping import (
    movements_filtered,
    orders_to_ship,
    purchase_requests_listed,
    stock_levels_filtered,
)
from relata.orders.services.common import quantity_text
from relata.orders.services.stock import (
    purchase_request_create,
    purchase_request_receive,
    stock_adjust,
    stock_receive,
    supplier_add,
    warehouse_create,
)
from relata.web.editing import render_form, save_form

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> Membership:
    return request.actor  # type: ignore[attr-defined, no-any-return]


def _page(request: HttpRequest, rows: QuerySet[Any], filters: dict[str, Any]) -> dict[str, Any]:
    """One page of `rows` and the query string that keeps the filters on the other pages."""
    page: Page[Any] = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({name: value for name, value in filters.items() if value not in (None, "")})
    return {"page": page, "query": query}


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST, even an empty one (a receipt without its box ticked)."""
    return request.POST if request.method == "POST" else None


def _prefill(params: QueryDict, names: tuple[str, ...]) -> dict[str, str]:
    """Initial values a link passes to a form (?product=…&warehouse=…)."""
    return {name: str(params.get(name)) for name in names if params.get(name)}


# --- Stock and the ledger -----------------------------------------------------------------


@permission_required("catalog", "view")
@require_GET
def stock_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    warehouse_id = as_id(request.GET.get("warehouse"))
    text = request.GET.get("q", "").strip()
    levels = stock_levels_filtered(actor, warehouse_id=warehouse_id, product_text=text)
    context = {
        **_page(request, levels, {"warehouse": warehouse_id, "q": text}),
        "warehouses": warehouses_visible_to(actor),
        "warehouse_id": warehouse_id,
        "q": text,
    }
    return render(request, "orders/stock/stock.html", context)


@permission_required("catalog", "view")
@require_GET
def movement_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    warehouse_id = as_id(request.GET.get("warehouse"))
    product_id = as_id(request.GET.get("product"))
    kind = request.GET.get("kind", "")
    kind = kind if kind in MovementKind.values else ""
    text = request.GET.get("q", "").strip()
    movements = movements_filtered(
        actor, warehouse_id=warehouse_id, product_id=product_id, kind=kind, product_text=text
    )
    filters = {"warehouse": warehouse_id, "product": product_id, "kind": kind, "q": text}
    product = None
    if product_id:
        try:
            product = product_get(actor, product_id)
        except Http404:
            product = None
    context = {
        **_page(request, movements, filters),
        "warehouses": warehouses_visible_to(actor),
        "kinds": MovementKind.choices,
        "warehouse_id": warehouse_id,
        "product_id": product_id,
        "product": product,
        "kind": kind,
        "q": text,
    }
    return render(request, "orders/stock/movements.html", context)


def _stock_form_page(request: HttpRequest, *, adjusting: bool) -> HttpResponse:
    actor = _actor(request)
    initial = _prefill(request.GET, ("product", "warehouse"))
    form = StockForm(_posted(request), actor=actor, signed=adjusting, initial=initial)
    write = stock_adjust if adjusting else stock_receive

    def success(movement: StockMovement) -> str:
        values = {"quantity": quantity_text(movement.quantity), "warehouse": movement.warehouse.name}
        if adjusting:
            return _("The stock on hand is corrected by %(quantity)s in %(warehouse)s.") % values
        return _("%(quantity)s received into %(warehouse)s.") % values

    outcome = save_form(
        request,
        form,
        lambda data: write(actor, **form.values()),
        success_url=lambda movement: (
            reverse("orders:stock") + "?" + urlencode({"warehouse": movement.warehouse_id, "q": movement.product.name})
        ),
        success_message=success,
    )
    return render_form(request, "orders/stock/stock_form.html", form, outcome, {"adjusting": adjusting})


@permission_required("catalog", "change")
@require_http_methods(["GET", "POST"])
def stock_receive_view(request: HttpRequest) -> HttpResponse:
    return _stock_form_page(request, adjusting=False)


@permission_required("catalog", "change")
@require_http_methods(["GET", "POST"])
def stock_adjust_view(request: HttpRequest) -> HttpResponse:
    return _stock_form_page(request, adjusting=True)


# --- Warehouses and suppliers -------------------------------------------------------------


@permission_required("catalog", "view")
@require_GET
def warehouse_list(request: HttpRequest) -> HttpResponse:
    warehouses = warehouses_visible_to(_actor(request))
    return render(request, "orders/stock/warehouses.html", {"warehouses": warehouses})


@permission_required("catalog", "create")
@require_http_methods(["GET", "POST"])
def warehouse_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = WarehouseForm(_posted(request))
    outcome = save_form(
        request,
        form,
        lambda data: warehouse_create(actor, values=data),
        success_url=reverse("orders:warehouses"),
        success_message=lambda warehouse: _("The warehouse “%(name)s” has been added.") % {"name": warehouse.name},
    )
    return render_form(request, "orders/stock/warehouse_form.html", form, outcome)


@permission_required("catalog", "view")
@require_GET
def supplier_list(request: HttpRequest) -> HttpResponse:
    suppliers = suppliers_visible_to(_actor(request))
    return render(request, "orders/stock/suppliers.html", {"suppliers": suppliers})


@permission_required("catalog", "create")
@require_http_methods(["GET", "POST"])
def supplier_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = SupplierForm(_posted(request), initial=_prefill(request.GET, ("client",)))
    outcome = save_form(
        request,
        form,
        lambda data: supplier_add(actor, client=data["client"], note=data["note"]),
        success_url=reverse("orders:suppliers"),
        success_message=lambda supplier: (
            _("%(company)s is registered as a supplier.") % {"company": supplier.client.name}
        ),
    )
    # The picker shows the chosen company by name again (after an error, or from a link).
    chosen = request.POST.get("client") if request.method == "POST" else form.initial.get("client")
    company = None
    if chosen:
        try:
            company = visible_client(actor, chosen, kind="company")
        except ValidationError:
            company = None
    return render_form(request, "orders/stock/supplier_form.html", form, outcome, {"company": company})


# --- Purchase requests --------------------------------------------------------------------


@permission_required("catalog", "view")
@require_GET
def purchase_request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", PurchaseStatus.OPEN)
    status = status if status in PurchaseStatus.values else ""  # "all": every status
    requests = purchase_requests_listed(_actor(request), status=status)
    context = {
        **_page(request, requests, {"status": status or "all"}),
        "statuses": PurchaseStatus.choices,
        "status": status,
    }
    return render(request, "orders/stock/purchase_requests.html", context)


@permission_required("catalog", "create")
@require_http_methods(["GET", "POST"])
def purchase_request_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    initial = _prefill(request.GET, ("product", "warehouse", "quantity", "supplier", "order"))
    form = PurchaseRequestForm(_posted(request), actor=actor, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: purchase_request_create(actor, **form.values()),
        success_url=reverse("orders:purchase_requests"),
        success_message=lambda purchase: (
            _("The purchase request for %(quantity)s of “%(product)s” has been created.")
            % {"quantity": quantity_text(purchase.quantity), "product": purchase.product.name}
        ),
    )
    # The order a shortage link names, shown by its number (when the member may see it).
    order_id = as_id(request.POST.get("order") if request.method == "POST" else initial.get("order"))
    order = None
    if order_id:
        try:
            order = order_get(actor, order_id)
        except Http404:  # not visible: the service refuses it on saving
            order = None
    return render_form(request, "orders/stock/purchase_request_form.html", form, outcome, {"order": order})


@permission_required("catalog", "change")
@require_http_methods(["GET", "POST"])
def purchase_request_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    purchase: PurchaseRequest = purchase_request_get(actor, pk)
    form = ReceiveForm(_posted(request), initial={"complete_reservation": purchase.order_id is not None})
    if purchase.order_id is None:
        del form.fields["complete_reservation"]  # nothing waits for these goods
    outcome = save_form(
        request,
        form,
        lambda data: purchase_request_receive(
            actor, purchase.pk, complete_reservation=bool(data.get("complete_reservation"))
        ),
        success_url=reverse("orders:purchase_requests"),
        success_message=lambda received: (
            _("%(quantity)s of “%(product)s” received into %(warehouse)s.")
            % {
                "quantity": quantity_text(received.quantity),
                "product": received.product.name,
                "warehouse": received.warehouse.name,
            }
        ),
    )
    return render_form(request, "orders/stock/purchase_request_receive.html", form, outcome, {"purchase": purchase})


# --- Orders to assemble and ship ----------------------------------------------------------


@permission_required("catalog", "view")
@require_GET
def to_ship_list(request: HttpRequest) -> HttpResponse:
    orders = orders_to_ship(_actor(request))
    return render(request, "orders/stock/to_ship.html", _page(request, orders, {}))


urls: list[URLPattern] = [
    path("stock/", stock_list, name="stock"),
    path("stock/movements/", movement_list, name="movements"),
    path("stock/receive/", stock_receive_view, name="stock_receive"),
    path("stock/adjust/", stock_adjust_view, name="stock_adjust"),
    path("stock/warehouses/", warehouse_list, name="warehouses"),
    path("stock/warehouses/new/", warehouse_new, name="warehouse_create"),
    path("stock/suppliers/", supplier_list, name="suppliers"),
    path("stock/suppliers/new/", supplier_new, name="supplier_add"),
    path("stock/purchase-requests/", purchase_request_list, name="purchase_requests"),
    path("stock/purchase-requests/new/", purchase_request_new, name="purchase_request_create"),
    path(
        "stock/purchase-requests/<int:pk>/receive/",
        purchase_request_receive_view,
        name="purchase_request_receive",
    ),
    path("to-ship/", to_ship_list, name="to_ship"),
]
