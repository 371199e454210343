"""Price lists: the list of lists, a list's form, and a list's page with its prices,
added with a product picker and changed or removed in place (HTMX; without JavaScript
the same forms post and come back to the page)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.catalog.forms import PriceForm, PriceListForm
from relata.catalog.models import PriceList, PriceListItem
from relata.catalog.selectors.price_lists import (
    price_list_get,
    price_list_items,
    price_lists_listed,
    products_to_price,
)
from relata.catalog.services.price_lists import price_list_delete, price_list_save, price_remove, price_set
from relata.core.decorators import permission_required
from relata.core.inputs import as_id
from relata.core.models import Membership
from relata.web.editing import render_form, run_action, save_form

ITEMS_PER_PAGE = 100


@permission_required("catalog", "view")
@require_GET
def price_list_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "catalog/price_lists.html", {"price_lists": price_lists_listed(actor)})


def _form_page(request: HttpRequest, actor: Membership, price_list: PriceList | None) -> HttpResponse:
    if price_list is None:
        initial: dict[str, Any] = {"currency": actor.workspace.default_currency, "is_active": True, "priority": 0}
    else:
        initial = {
            "name": price_list.name,
            "currency": price_list.currency,
            "segment": price_list.segment_id,
            "priority": price_list.priority,
            "is_active": price_list.is_active,
        }
    form = PriceListForm(request.POST or None, actor=actor, price_list=price_list, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: price_list_save(actor, price_list_id=price_list.pk if price_list else None, values=form.values()),
        success_url=lambda saved: reverse("catalog:price_list", args=[saved.pk]),
        success_message=_("The price list has been added.")
        if price_list is None
        else _("The changes have been saved."),
    )
    context = {"price_list": price_list, "can_delete": actor.can("catalog", "delete")}
    return render_form(request, "catalog/price_list_form.html", form, outcome, context)


@permission_required("catalog", "create")
@require_http_methods(["GET", "POST"])
def price_list_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, request.actor, None)  # type: ignore[attr-defined]


@permission_required("catalog", "change")
@require_http_methods(["GET", "POST"])
def price_list_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return _form_page(request, actor, price_list_get(actor, pk))


@permission_required("catalog", "delete")
@require_POST
def price_list_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    price_list = price_list_get(actor, pk)
    deleted = run_action(
        request,
        lambda: price_list_delete(actor, price_list_id=price_list.pk),
        success_message=_("The price list “%(name)s” has been deleted.") % {"name": price_list.name},
    )
    if deleted:
        return HttpResponseRedirect(reverse("catalog:price_lists"))
    return HttpResponseRedirect(reverse("catalog:price_list", args=[price_list.pk]))


def _page(
    request: HttpRequest, actor: Membership, price_list: PriceList, form: PriceForm | None = None, status: int = 200
) -> HttpResponse:
    q = request.GET.get("q", "")
    items = Paginator(price_list_items(actor, price_list, q=q), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    can_change = actor.can("catalog", "change")
    context = {
        "price_list": price_list,
        "items": items,
        "q": q,
        "can_change": can_change,
        "can_delete": actor.can("catalog", "delete"),
        "form": form or (PriceForm(products=products_to_price(actor, price_list)) if can_change else None),
    }
    return render(request, "catalog/price_list.html", context, status=status)


@permission_required("catalog", "view")
@require_GET
def price_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return _page(request, actor, price_list_get(actor, pk))


def _row(request: HttpRequest, item: PriceListItem, form: PriceForm | None = None, status: int = 200) -> HttpResponse:
    context = {"item": item, "price_list": item.price_list, "can_change": True, "row_form": form}
    return render(request, "catalog/_price_row.html", context, status=status)


@permission_required("catalog", "change")
@require_POST
def price_set_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or change a price. From the inline row (HTMX) the answer is the row again, with
    the error next to the price if it is refused (400); otherwise the page."""
    actor = request.actor  # type: ignore[attr-defined]
    price_list = price_list_get(actor, pk)
    inline = bool(request.htmx)  # type: ignore[attr-defined]
    form = PriceForm(request.POST, products=None if inline else products_to_price(actor, price_list))
    if form.is_valid():
        try:
            item = price_set(
                actor,
                price_list_id=price_list.pk,
                product_id=form.cleaned_data["product"],
                price=form.cleaned_data["price"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if inline:
                return _row(request, item)
            messages.success(request, _("The price of “%(name)s” has been saved.") % {"name": item.product.name})
            return HttpResponseRedirect(reverse("catalog:price_list", args=[price_list.pk]))
    if inline:
        existing = (
            price_list_items(actor, price_list).filter(product_id=as_id(request.POST.get("product")) or 0).first()
        )
        # The row again with the error; a row whose price is gone meanwhile goes too.
        return _row(request, existing, form, status=400) if existing is not None else HttpResponse("")
    return _page(request, actor, price_list, form, status=400)


@permission_required("catalog", "change")
@require_POST
def price_remove_view(request: HttpRequest, pk: int, product_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    price_list = price_list_get(actor, pk)
    if request.htmx:  # type: ignore[attr-defined]
        # The row goes, also when the price was already gone (removed by a colleague).
        with contextlib.suppress(ValidationError):
            price_remove(actor, price_list_id=price_list.pk, product_id=product_id)
        return HttpResponse("")
    run_action(
        request,
        lambda: price_remove(actor, price_list_id=price_list.pk, product_id=product_id),
        success_message=_("The price has been removed."),
    )
    return HttpResponseRedirect(reverse("catalog:price_list", args=[price_list.pk]))


urls = [
    path("price-lists/", price_list_list, name="price_lists"),
    path("price-lists/new/", price_list_new, name="price_list_new"),
    path("price-lists/<int:pk>/", price_list_detail, name="price_list"),
    path("price-lists/<int:pk>/edit/", price_list_edit, name="price_list_edit"),
    path("price-lists/<int:pk>/delete/", price_list_delete_view, name="price_list_delete"),
    path("price-lists/<int:pk>/prices/", price_set_view, name="price_set"),
    path("price-lists/<int:pk>/prices/<int:product_id>/remove/", price_remove_view, name="price_remove"),
]
