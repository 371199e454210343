"""Forms of the storekeeper's pages. They only carry what the user typed: the services in
relata/orders/services/stock.py check every value (the product, the warehouse, the
quantity…) and their errors are shown next to the fields, so the rules live in one place.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from relata.core.models import Membership
from relata.orders.selectors.stock import suppliers_visible_to
from relata.orders.selectors.storekeeping import stocked_products, warehouses_in_use
from relata.orders.services.common import MAX_NOTE
from relata.web.forms import StyledForm


def _choice(label: Any) -> forms.CharField:
    """A select whose value the service checks (an unknown one gets the service's error,
    not a generic "invalid choice")."""
    return forms.CharField(label=label, required=False, widget=forms.Select)


def _quantity(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=30,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _note() -> forms.CharField:
    return forms.CharField(label=gettext_lazy("Note"), required=False, max_length=MAX_NOTE)


def product_choices(actor: Membership) -> list[tuple[Any, str]]:
    return [("", "—")] + [
        (product.pk, f"{product.name} ({product.sku})" if product.sku else product.name)
        for product in stocked_products(actor)
    ]


def warehouse_choices(actor: Membership) -> list[tuple[Any, str]]:
    return [("", "—")] + [(warehouse.pk, warehouse.name) for warehouse in warehouses_in_use(actor)]


class StockForm(StyledForm):
    """A receipt (quantity above zero) or an adjustment (`signed`: either sign)."""

    product = _choice(gettext_lazy("Product"))
    warehouse = _choice(gettext_lazy("Warehouse"))
    quantity = _quantity(gettext_lazy("Quantity"))
    note = _note()

    def __init__(self, *args: Any, actor: Membership, signed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].widget.choices = product_choices(actor)  # type: ignore[attr-defined]
        self.fields["warehouse"].widget.choices = warehouse_choices(actor)  # type: ignore[attr-defined]
        if signed:
            self.fields["quantity"].label = gettext_lazy("Change of the quantity on hand")
            self.fields["quantity"].help_text = gettext_lazy(
                "Above zero adds to the stock on hand, below zero (−3) takes away: the difference the count found."
            )

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in ("product", "warehouse", "quantity", "note")}


class WarehouseForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=150)
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=500)
    is_active = forms.BooleanField(
        label=gettext_lazy("In use"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Only warehouses in use are offered for orders, receipts and adjustments."),
    )


class SupplierForm(StyledForm):
    """The company comes from the client picker (a search of the client base)."""

    client = forms.CharField(required=False, widget=forms.HiddenInput)
    note = _note()


class PurchaseRequestForm(StyledForm):
    product = _choice(gettext_lazy("Product"))
    warehouse = _choice(gettext_lazy("Warehouse"))
    quantity = _quantity(gettext_lazy("Quantity"))
    supplier = _choice(gettext_lazy("Supplier"))
    order = forms.CharField(required=False, widget=forms.HiddenInput)
    note = _note()

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].widget.choices = product_choices(actor)  # type: ignore[attr-defined]
        self.fields["warehouse"].widget.choices = warehouse_choices(actor)  # type: ignore[attr-defined]
        suppliers = [(supplier.client_id, supplier.client.name) for supplier in suppliers_visible_to(actor)]
        self.fields["supplier"].widget.choices = [("", gettext_lazy("Not chosen yet")), *suppliers]  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        names = ("product", "warehouse", "quantity", "supplier", "order", "note")
        return {name: self.cleaned_data.get(name) for name in names}


class ReceiveForm(StyledForm):
    complete_reservation = forms.BooleanField(
        label=gettext_lazy("Reserve the goods for the order that waits for them"),
        required=False,
        help_text=gettext_lazy(
            "The order's lines of this product get what they still miss, as far as the stock allows."
        ),
    )
