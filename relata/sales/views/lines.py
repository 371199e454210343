"""The lines editor of a deal: rows of product, quantity, price, discount and VAT, saved
as a whole list (a row left without a product and a name is dropped)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from relata.catalog.models import VAT_RATES
from relata.catalog.selectors.products import products_in_use
from relata.core.concurrency import StaleVersion
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.sales.selectors.deals import deal_get, deal_lines
from relata.sales.services.lines import deal_lines_set

FIELDS = ("product", "name", "quantity", "price", "discount", "vat_rate")


def posted_lines(request: HttpRequest) -> list[dict[str, Any]]:
    """Rows posted as parallel lists (product, name, quantity…); empty rows left out."""
    columns = {name: request.POST.getlist(name) for name in FIELDS}
    count = max((len(values) for values in columns.values()), default=0)
    rows = []
    for index in range(count):
        row = {name: (values[index] if index < len(values) else "") for name, values in columns.items()}
        if any(str(row[name]).strip() for name in ("product", "name", "quantity", "price")):
            rows.append(row)
    return rows


def _products(actor: Membership) -> list[dict[str, Any]]:
    if not actor.workspace.module_enabled("catalog") or not actor.can("catalog", "view"):
        return []
    return [
        {"id": p.pk, "name": p.name, "sku": p.sku, "vat": "" if p.vat_rate is None else str(p.vat_rate.normalize())}
        for p in products_in_use(actor)[:2000]
    ]


@permission_required("sales", "change")
@require_http_methods(["GET", "POST"])
def deal_lines_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Membership = request.actor  # type: ignore[attr-defined]
    deal = deal_get(actor, pk)
    errors: dict[str, list[str]] = {}
    conflict = None
    status = 200
    if request.method == "POST":
        rows = posted_lines(request)
        version = request.POST.get("version", "")
        try:
            deal_lines_set(actor, deal.pk, version=int(version) if version.isdigit() else 0, lines=rows)
        except StaleVersion as stale:
            conflict, status = stale, 409
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"lines": error.messages}
            status = 400
        else:
            messages.success(request, _("The deal's lines are saved."))
            return HttpResponseRedirect(reverse("sales:deal", args=[deal.pk]))
    else:
        rows = [
            {
                "product": line.product_id or "",
                "name": line.name,
                "quantity": str(line.quantity.normalize()),
                "price": str(line.price),
                "discount": str(line.discount.normalize()),
                "vat_rate": "" if line.vat_rate is None else str(line.vat_rate.normalize()),
            }
            for line in deal_lines(deal)
        ]
    row_errors = [
        {name: " ".join(errors.get(f"lines.{index}.{name}", [])) for name in FIELDS} for index in range(len(rows))
    ]
    context = {
        "deal": deal,
        "rows": [{**row, "errors": row_errors[i]} for i, row in enumerate(rows)],
        "products": _products(actor),
        "vat_rates": [str(rate) for rate in VAT_RATES],
        "general_errors": errors.get("lines", []),
        "conflict": conflict,
    }
    return render(request, "sales/deal_lines.html", context, status=status)


urls = [path("deals/<int:pk>/lines/", deal_lines_edit, name="deal_lines")]
