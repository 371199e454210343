"""A deal's lines: replaced as a whole list (what the lines editor and the API send),
with prices from the client's price list where none is typed, and the deal's amount
kept equal to the sum of its lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from relata.catalog.models import VAT_RATES, Product
from relata.catalog.services.pricing import prices_for_client
from relata.core.access import get_visible
from relata.core.audit import record_event
from relata.core.concurrency import save_versioned
from relata.core.errors import ValidationError, invalid
from relata.core.inputs import as_id
from relata.core.models import Membership
from relata.core.money import CENT, clean_money, parse_decimal
from relata.sales.models import Deal, DealLine

MAX_LINES = 200
MAX_QUANTITY = Decimal("1e10")


def _field(index: int, name: str) -> str:
    return f"lines.{index}.{name}"


def _quantity(value: Any, index: int) -> Decimal:
    field = _field(index, "quantity")
    number = parse_decimal(value, field)
    if number is None:
        raise invalid(field, _("Enter the quantity."), code="required")
    if number <= 0:
        raise invalid(field, _("Enter a quantity above zero."))
    if number >= MAX_QUANTITY or number != number.quantize(Decimal("0.001")):
        raise invalid(field, _("Enter a quantity with at most three decimal places."))
    return number


def _discount(value: Any, index: int) -> Decimal:
    field = _field(index, "discount")
    number = parse_decimal(value, field)
    if number is None:
        return Decimal(0)
    if not Decimal(0) <= number <= Decimal(100):
        raise invalid(field, _("Enter a discount from 0 to 100%."))
    return number.quantize(CENT)


def _vat(value: Any, index: int, product: Product | None) -> Decimal | None:
    if value in (None, "") and product is not None:
        return product.vat_rate
    if value in (None, "", "none"):
        return None
    field = _field(index, "vat_rate")
    rate = parse_decimal(value, field)
    if rate not in VAT_RATES:
        raise invalid(field, _("Choose a VAT rate: %(rates)s%%.") % {"rates": ", ".join(str(r) for r in VAT_RATES)})
    return rate


def _products(actor: Membership, raw_lines: list[dict[str, Any]]) -> dict[int, Product]:
    ids = {pk for pk in (as_id(line.get("product")) for line in raw_lines) if pk}
    if not ids:
        return {}
    from relata.catalog.selectors.products import products_visible_to

    found = {p.pk: p for p in products_visible_to(actor).filter(pk__in=ids)}
    for index, line in enumerate(raw_lines):
        pk = as_id(line.get("product"))
        if pk and pk not in found:
            raise invalid(_field(index, "product"), _("Choose a product of the catalog."))
    return found


@transaction.atomic
def deal_lines_set(actor: Membership, deal_id: int, *, version: int, lines: list[dict[str, Any]]) -> Deal:
    """Replace the deal's lines by `lines` (each: product id or name, quantity, price,
    discount %, VAT rate %). A line of a catalog product without a price takes the
    client's price list price (catalog.services.pricing); without one it is refused.
    The deal's amount becomes the sum of the lines (unchanged when there are none).
    Errors name the line: "lines.2.quantity". A stale `version` is refused."""
    deal = get_visible(actor, Deal.objects.select_related("client"), deal_id, for_write=True)
    if not isinstance(lines, list) or len(lines) > MAX_LINES:
        raise invalid("lines", _("Send at most %(count)d lines.") % {"count": MAX_LINES})
    if any(not isinstance(line, dict) for line in lines):
        raise invalid("lines", _("Each line is an object with a product or a name, a quantity and a price."))
    products = _products(actor, lines)
    needs_price = [
        products[pk] for pk in (as_id(line.get("product")) for line in lines if line.get("price") in (None, "")) if pk
    ]
    quotes = (
        prices_for_client(actor, client=deal.client, products=needs_price, currency=deal.currency)
        if needs_price
        else {}
    )
    built: list[DealLine] = []
    errors: dict[str, list[ValidationError]] = {}
    for index, raw in enumerate(lines):
        try:
            built.append(_line(deal, index, raw, products, quotes))
        except ValidationError as error:
            for name, messages in error.error_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    before = [(line.name, str(line.quantity), str(line.price)) for line in DealLine.objects.filter(deal=deal)]
    DealLine.objects.filter(deal=deal).delete()
    DealLine.objects.bulk_create(built)
    if built:
        deal.amount = sum((line.total for line in built), Decimal("0.00"))
    save_versioned(deal, expected_version=version, fields=["amount"])
    record_event(
        kind="deal.lines_changed",
        workspace=actor.workspace,
        actor=actor.user,
        target=deal,
        changes={"lines": [len(before), len(built)], "amount": [None, str(deal.amount)]},
    )
    return deal


def _line(
    deal: Deal, index: int, raw: dict[str, Any], products: dict[int, Product], quotes: dict[int, Any]
) -> DealLine:
    """One line from `raw`; every wrong value of it is reported, not only the first."""
    product = products.get(as_id(raw.get("product")) or 0)
    errors: dict[str, list[ValidationError]] = {}

    def checked(check: Any, *args: Any) -> Any:
        try:
            return check(*args)
        except ValidationError as error:
            for name, messages in error.error_dict.items():
                errors.setdefault(name, []).extend(messages)
            return None

    name = checked(_name, raw, index, product)
    quantity = checked(_quantity, raw.get("quantity"), index)
    price = checked(_price, deal, raw, index, product, quotes)
    discount = checked(_discount, raw.get("discount"), index)
    vat_rate = checked(_vat, raw.get("vat_rate"), index, product)
    if errors:
        raise ValidationError(errors)
    return DealLine(
        workspace_id=deal.workspace_id,
        deal=deal,
        product=product,
        name=name,
        quantity=quantity,
        unit=str(raw.get("unit") or (product.get_unit_display() if product else ""))[:20],
        price=price,
        discount=discount,
        vat_rate=vat_rate,
        position=index,
    )


def _name(raw: dict[str, Any], index: int, product: Product | None) -> str:
    name = str(raw.get("name") or "").strip() or (product.name if product else "")
    if not name:
        raise invalid(_field(index, "name"), _("Choose a product or enter what is sold."), code="required")
    if len(name) > 300:
        raise invalid(_field(index, "name"), _("At most %(limit)d characters.") % {"limit": 300})
    return name


def _price(deal: Deal, raw: dict[str, Any], index: int, product: Product | None, quotes: dict[int, Any]) -> Decimal:
    price = clean_money(raw.get("price"), _field(index, "price"))
    if price is not None:
        return price
    quote = quotes.get(product.pk) if product else None
    if quote is None:
        raise invalid(
            _field(index, "price"),
            _("No price list gives a price in %(currency)s for this client: enter the price.")
            % {"currency": deal.currency},
            code="required",
        )
    return Decimal(quote.price)
