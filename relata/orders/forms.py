"""Forms of the order pages. They only collect what the user typed: the services parse
quantities and amounts ("1 200,50") and check every value, and their errors come back
onto these forms next to the field they name."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from relata.catalog.selectors.products import products_in_use
from relata.core.concurrency import StaleVersion
from relata.core.models import Membership
from relata.orders.models import OrderLine, OrderStatus
from relata.orders.selectors.stock import suppliers_visible_to, warehouses_visible_to
from relata.orders.services.common import quantity_text
from relata.web.forms import StyledForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PRODUCTS = 2000  # what a product select offers (as the deal lines editor)
LINE_ERROR = re.compile(r"lines\.(\d+)\.(\w+)")


def warehouse_choices(actor: Membership) -> list[tuple[Any, str]]:
    return [("", "—")] + [(w.pk, w.name) for w in warehouses_visible_to(actor).filter(is_active=True)]


def supplier_choices(actor: Membership) -> list[tuple[Any, Any]]:
    return [("", _("Not chosen yet"))] + [(s.client_id, s.client.name) for s in suppliers_visible_to(actor)]


def product_choices(actor: Membership) -> list[tuple[Any, str]]:
    products = products_in_use(actor)[:MAX_PRODUCTS]
    return [("", "—")] + [(p.pk, f"{p.name} ({p.sku})" if p.sku else p.name) for p in products]


def _is_zero(text: str) -> bool:
    try:
        return float(text.replace("\u00a0", "").replace(" ", "").replace(",", ".")) == 0
    except ValueError:
        return False


class ChoicesForm(StyledForm):
    def choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


class OrderFilterForm(ChoicesForm):
    status = forms.ChoiceField(label=_("Status"), required=False)
    client = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("status").choices = [("", _("All statuses")), *OrderStatus.choices]


class ReservationOptionsForm(ChoicesForm):
    """Where an order's goods are reserved, and what happens when stock is short."""

    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    shortage = forms.BooleanField(
        label=_("Record the shortage"),
        required=False,
        help_text=_("Reserve what is in stock and create a purchase request for what is missing."),
    )
    supplier = forms.ChoiceField(label=_("Supplier for the purchase request"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("warehouse").choices = warehouse_choices(actor)
        self.choice_field("supplier").choices = supplier_choices(actor)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "warehouse": data.get("warehouse") or None,
            "shortage": bool(data.get("shortage")),
            "supplier": data.get("supplier") or None,
            "note": data.get("note") or "",
        }


class OrderForm(ReservationOptionsForm):
    """A direct order's header; its lines are `OrderLineFormSet`. The client comes from
    the picker (an id in a hidden input, checked by the service against the scope)."""

    client = forms.IntegerField(widget=forms.HiddenInput, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    field_order = ["client", "warehouse", "currency", "shortage", "supplier", "note"]

    def values(self) -> dict[str, Any]:
        return {
            **super().values(),
            "client": self.cleaned_data.get("client"),
            "currency": self.cleaned_data.get("currency") or None,
        }


class OrderLineForm(ChoicesForm):
    product = forms.ChoiceField(label=_("Product"), required=False)
    quantity = forms.CharField(label=_("Quantity"), max_length=30, required=False)
    price = forms.CharField(label=_("Price"), max_length=30, required=False, help_text=_("Empty: the price list's."))
    discount = forms.CharField(
        label=_("Discount, %"),
        max_length=10,
        required=False,
        help_text=_("Empty: the discount of the client's loyalty tier, if any."),
    )

    def __init__(self, *args: Any, products: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("product").choices = products

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(str(data.get(name) or "").strip() for name in ("product", "quantity", "price"))

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: str(data.get(name) or "").strip() for name in ("product", "quantity", "price", "discount")}


class BaseOrderLineFormSet(BaseFormSet):  # type: ignore[type-arg]
    def rows(self) -> list[dict[str, Any]]:
        """The filled-in rows, as the service takes them (blank rows are left out)."""
        self._posted = [form for form in self.forms if not form.is_blank()]
        return [form.values() for form in self._posted]

    def add_service_error(self, error: ValidationError) -> list[str]:
        """Put "lines.2.quantity" errors on the row's field; return the others."""
        rest: list[str] = []
        for name, errors in error.error_dict.items():
            match = LINE_ERROR.fullmatch(name)
            if match is None or int(match[1]) >= len(self._posted):
                if name.startswith("lines"):
                    rest.extend(message for e in errors for message in e.messages)
                continue
            form = self._posted[int(match[1])]
            form.add_error(match[2] if match[2] in form.fields else None, errors)
        return rest


OrderLineFormSet = cast(
    type[BaseOrderLineFormSet],
    formset_factory(OrderLineForm, formset=BaseOrderLineFormSet, extra=5, max_num=200),
)


class PaymentForm(StyledForm):
    prefix = "payment"
    amount = forms.CharField(label=_("Amount"), max_length=30, required=False)
    date = forms.DateField(label=_("Date"), required=False, widget=DATE, help_text=_("Empty: today."))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"amount": data.get("amount"), "date": data.get("date"), "note": data.get("note") or ""}


class ShipmentForm(StyledForm):
    """A quantity to ship per order line that has goods reserved (its reserved quantity
    by default; empty or zero: the line is not shipped now)."""

    prefix = "shipment"
    date = forms.DateField(label=_("Date"), required=False, widget=DATE, help_text=_("Empty: today."))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    documents = forms.BooleanField(
        label=_("Issue the waybill (and the act of the order's services)"), required=False, initial=True
    )

    def __init__(self, *args: Any, lines: list[OrderLine], with_documents: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_documents:  # an order without a deal has no documents
            del self.fields["documents"]
        self.lines = [line for line in lines if line.reserved > 0]
        for line in self.lines:
            self.fields[self.line_field(line)] = forms.CharField(
                label=line.name, max_length=30, required=False, initial=quantity_text(line.reserved)
            )
        self.style_fields()
        self._sent: list[OrderLine] = []

    @staticmethod
    def line_field(line: OrderLine) -> str:
        return f"line_{line.pk}"

    def line_rows(self) -> list[tuple[OrderLine, forms.BoundField]]:
        return [(line, self[self.line_field(line)]) for line in self.lines]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        self._sent = []
        rows = []
        for line in self.lines:
            text = str(data.get(self.line_field(line)) or "").strip()
            if not text or _is_zero(text):
                continue
            self._sent.append(line)
            rows.append({"line": line.pk, "quantity": text})
        return {
            "lines": rows,
            "date": data.get("date"),
            "note": data.get("note") or "",
            "documents": bool(data.get("documents")),
        }

    def add_service_error(self, error: ValidationError | StaleVersion) -> None:
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                match = LINE_ERROR.fullmatch(name)
                if match is not None and int(match[1]) < len(self._sent):
                    self.add_error(self.line_field(self._sent[int(match[1])]), errors)
                else:
                    self.add_error(name if name in self.fields else None, errors)
            return
        super().add_service_error(error)


class CancelForm(StyledForm):
    prefix = "cancel"
    version = forms.IntegerField(widget=forms.HiddenInput)
