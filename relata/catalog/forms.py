"""Forms of the catalog's pages. They parse and show errors; the services validate the
rules (money, currencies and VAT rates are passed on as typed, so that the service's
message names the problem)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.catalog.models import VAT_RATES, PriceList, Product, ProductKind, Unit
from relata.catalog.selectors.categories import category_choices
from relata.catalog.selectors.price_lists import segments_for_price_lists
from relata.catalog.services.products import MAX_DESCRIPTION, MAX_NAME, MAX_SKU
from relata.clients.models import ClientKind
from relata.core.forms import VersionedForm
from relata.core.inputs import MAX_SMALL
from relata.core.models import Membership
from relata.web.forms import StyledForm

KINDS_PLURAL = {ClientKind.COMPANY.value: gettext_lazy("companies"), ClientKind.PERSON.value: gettext_lazy("people")}


def set_choices(field: forms.Field, choices: list[tuple[Any, str]]) -> None:
    cast("forms.ChoiceField", field).choices = choices


def vat_choices() -> list[tuple[str, str]]:
    return [("", _("Without VAT"))] + [(f"{rate:.0f}", f"{rate:.0f}%") for rate in VAT_RATES]


class ProductForm(VersionedForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ProductKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=MAX_NAME)
    sku = forms.CharField(label=gettext_lazy("SKU"), max_length=MAX_SKU, required=False)
    category = forms.TypedChoiceField(label=gettext_lazy("Category"), coerce=int, required=False, empty_value=None)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=Unit.choices)
    vat_rate = forms.ChoiceField(label=gettext_lazy("VAT"), required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, actor: Membership, product: Product | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if product is None:
            self.fields["version"].required = False
        set_choices(self.fields["category"], category_choices(actor, empty=_("No category")))
        set_choices(self.fields["vat_rate"], vat_choices())

    def values(self) -> dict[str, Any]:
        """The service's values from the cleaned data."""
        return {name: self.cleaned_data.get(name) for name in self.fields if name != "version"}


def product_initial(product: Product) -> dict[str, Any]:
    return {
        "kind": product.kind,
        "name": product.name,
        "sku": product.sku,
        "category": product.category_id,
        "unit": product.unit,
        "vat_rate": "" if product.vat_rate is None else f"{product.vat_rate:.0f}",
        "description": product.description,
        "version": product.version,
    }


class CategoryForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    parent = forms.TypedChoiceField(label=gettext_lazy("Inside"), coerce=int, required=False, empty_value=None)
    position = forms.IntegerField(
        label=gettext_lazy("Order"),
        min_value=0,
        max_value=MAX_SMALL,
        required=False,
        help_text=gettext_lazy("Smaller numbers come first. Empty: after the others."),
    )

    def __init__(self, *args: Any, actor: Membership, exclude: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["parent"], category_choices(actor, empty=_("Top level"), exclude_subtree_of=exclude))


class PriceListForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    # Longer than a code, so that a wrong one reaches the service's clear message.
    currency = forms.CharField(
        label=gettext_lazy("Currency"), max_length=10, help_text=gettext_lazy("A three-letter code such as RUB.")
    )
    segment = forms.TypedChoiceField(
        label=gettext_lazy("For clients of the segment"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("Empty: the base list of the currency, for every client."),
    )
    priority = forms.IntegerField(
        label=gettext_lazy("Priority"),
        min_value=0,
        max_value=MAX_SMALL,
        initial=0,
        required=False,
        help_text=gettext_lazy("When a client is in several segments, the list with the higher priority applies."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(self, *args: Any, actor: Membership, price_list: PriceList | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = price_list.segment if price_list is not None else None
        segments = segments_for_price_lists(actor, current)
        set_choices(
            self.fields["segment"],
            [("", _("None: the base list"))]
            + [(s.pk, f"{s.name} ({KINDS_PLURAL.get(s.entity, s.entity)})") for s in segments],
        )

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PriceForm(StyledForm):
    """A product's price in a list: added with a product picker, changed inline. Any
    product id is taken here; the service says which ones may be priced."""

    product = forms.IntegerField(label=gettext_lazy("Product"), widget=forms.Select)
    # Text, so that "12,50" and "1 200" are read the Russian way by the service.
    price = forms.CharField(label=gettext_lazy("Price"), max_length=40)

    def __init__(self, *args: Any, products: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if products is None:  # changing a price: the product comes from the row
            self.fields["product"].widget = forms.HiddenInput()
        else:
            self.fields["product"].widget.choices = [("", "—")] + [
                (p.pk, f"{p.name} · {p.sku}" if p.sku else p.name) for p in products
            ]
        self.fields["price"].widget.attrs["inputmode"] = "decimal"
        self.style_fields()
