"""Turning a deal into a document: the data a template sees, the template (the
workspace's own or the built-in Russian one), and the PDF (WeasyPrint).

Templates are edited by administrators, so they run in an engine of their own that
loads nothing from disk ({% include %} and {% extends %} find nothing) and see only
plain values — strings, numbers, dates, lists and dicts — never model instances, so a
template cannot reach further than the document's own data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from relata.clients.normalize import format_phone
from relata.core.errors import invalid
from relata.core.money import CENT
from relata.sales.models import Deal, DocumentKind, DocumentTemplate, SellerDetails

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "document_templates"
MAX_TEMPLATE_LENGTH = 200_000
NBSP = "\u00a0"  # between groups of digits, so that an amount never breaks across lines


@dataclass(frozen=True)
class DocumentSubject:
    """What a document without a deal is issued for (an order made directly): the fields
    of a deal that the document context reads. Its lines are always given."""

    pk: int
    title: str
    client: Any  # relata.clients.models.Client
    owner: Any  # the user who answers for it
    currency: str
    amount: Decimal
    workspace: Any

    @property
    def workspace_id(self) -> int:
        return int(self.workspace.pk)

    @property
    def client_id(self) -> int:
        return int(self.client.pk)


class PdfUnavailable(RuntimeError):
    """WeasyPrint's system libraries (Pango) are missing on this server."""


@cache
def _engine() -> Engine:
    return Engine(dirs=[], app_dirs=False, loaders=[("django.template.loaders.locmem.Loader", {})], autoescape=True)


def builtin_template(kind: str) -> str:
    return (BUILTIN_DIR / f"{kind}.html").read_text(encoding="utf-8")


def template_source(workspace_id: int, kind: str) -> str:
    own = DocumentTemplate.objects.filter(workspace_id=workspace_id, kind=kind).values_list("body", flat=True).first()
    return own if own is not None else builtin_template(kind)


def seller_details(workspace: Any) -> SellerDetails:
    """The workspace's requisites (unsaved, with only its name, until an administrator fills them in)."""
    found = SellerDetails.objects.filter(workspace=workspace).first()
    return found or SellerDetails(workspace=workspace, legal_name=workspace.name)


def money(value: Decimal) -> str:
    """1234567.5 → "1 234 567,50", as Russian documents write amounts."""
    whole, cents = f"{value:.2f}".split(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{NBSP.join(groups) or '0'},{cents}"


def quantity(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def in_words(amount: Decimal, currency: str) -> str:
    """The amount in Russian words ("одна тысяча рублей, 00 копеек"); empty where the
    currency has no Russian name in num2words."""
    from num2words import num2words

    try:
        text = str(num2words(amount, lang="ru", to="currency", currency=currency))
    except (NotImplementedError, KeyError):
        return ""
    return text[:1].upper() + text[1:]


def _address(client: Any) -> str:
    addresses = sorted(client.addresses.all(), key=lambda a: (a.kind != "legal", not a.is_primary, a.pk))
    if not addresses:
        return ", ".join(part for part in (client.region, client.city) if part)
    a = addresses[0]
    return ", ".join(part for part in (a.postcode, a.region, a.city, a.street) if part)


class LineLike(Protocol):
    """What a document line is made of: a deal's line, or a shipment's (relata.orders)."""

    @property
    def name(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit(self) -> str: ...
    @property
    def price(self) -> Decimal: ...
    @property
    def discount(self) -> Decimal: ...
    @property
    def vat_rate(self) -> Decimal | None: ...
    @property
    def total(self) -> Decimal: ...
    @property
    def vat_amount(self) -> Decimal: ...


@dataclass(frozen=True)
class DocumentLine:
    """A line of a document that is not a deal's line as it stands (what a shipment
    carried, at the order's prices)."""

    name: str
    quantity: Decimal
    unit: str
    price: Decimal
    discount: Decimal
    vat_rate: Decimal | None
    total: Decimal

    @property
    def vat_amount(self) -> Decimal:
        if not self.vat_rate:
            return Decimal("0.00")
        return (self.total * self.vat_rate / (Decimal(100) + self.vat_rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def _line(n: int, line: LineLike) -> dict[str, Any]:
    return {
        "n": n,
        "name": line.name,
        "quantity": quantity(line.quantity),
        "unit": line.unit,
        "price": money(line.price),
        "discount": quantity(line.discount) if line.discount else "",
        "vat_rate": "" if line.vat_rate is None else quantity(line.vat_rate),
        "total": money(line.total),
        "vat_amount": money(line.vat_amount),
    }


def document_context(
    deal: Deal | DocumentSubject,
    *,
    kind: str,
    number: int,
    date: dt.date,
    seller: SellerDetails,
    lines: Sequence[LineLike] | None = None,
) -> tuple[dict[str, Any], Decimal, Decimal]:
    """What a template sees, and the total and VAT of the document: the deal's lines, or
    `lines` when given (a shipment's). A deal without lines is sold as one line: its
    title for its amount."""
    if lines is None and isinstance(deal, DocumentSubject):
        raise ValueError("a document without a deal is issued from its lines")
    sold: list[Any] = list(lines) if lines is not None else list(deal.lines.all()) if isinstance(deal, Deal) else []
    if sold:
        total = sum((line.total for line in sold), Decimal("0.00"))
        vat = sum((line.vat_amount for line in sold), Decimal("0.00"))
        rows = [_line(n, line) for n, line in enumerate(sold, start=1)]
    else:
        total, vat = deal.amount or Decimal("0.00"), Decimal("0.00")
        rows = [
            {
                "n": 1,
                "name": deal.title,
                "quantity": "1",
                "unit": "",
                "price": money(total),
                "discount": "",
                "vat_rate": "",
                "total": money(total),
                "vat_amount": money(vat),
            }
        ]
    client = deal.client
    owner = deal.owner
    context = {
        "document": {
            "kind": kind,
            "title": str(DocumentKind(kind).label),
            "number": number,
            "date": date,
        },
        "seller": {name: getattr(seller, name) for name in SellerDetails.FIELDS},
        "buyer": {
            "name": (client.legal_name or client.name) if client else "",
            "inn": client.inn if client else "",
            "kpp": client.kpp if client else "",
            "address": _address(client) if client else "",
            "phone": format_phone(client.primary_phone) if client and client.primary_phone else "",
            "email": client.primary_email if client else "",
        },
        "deal": {"id": deal.pk, "title": deal.title},
        "lines": rows,
        "totals": {
            "count": len(rows),
            "total": money(total),
            "vat_amount": money(vat),
            "without_vat": money(total - vat),
            "has_vat": vat > 0,
            "currency": deal.currency,
            "in_words": in_words(total, deal.currency),
        },
        "manager": {"name": owner.get_full_name() or owner.email, "email": owner.email},
    }
    return context, total, vat


def render_html(source: str, context: dict[str, Any]) -> str:
    return _engine().from_string(source).render(Context(context))


def check_template(source: str, field: str = "body") -> None:
    """Refuse a template that does not parse or fails on a sample document, with the
    engine's message (the line it points at is in it)."""
    if not source.strip():
        raise invalid(field, _("Enter the template."), code="required")
    if len(source) > MAX_TEMPLATE_LENGTH:
        raise invalid(field, _("At most %(limit)d characters.") % {"limit": MAX_TEMPLATE_LENGTH})
    try:
        template = _engine().from_string(source)
        template.render(Context(sample_context()))
    except TemplateSyntaxError as error:
        raise invalid(field, _("The template has an error: %(error)s") % {"error": error}) from error
    except Exception as error:  # a filter that fails on the sample values
        raise invalid(field, _("The template fails on a sample document: %(error)s") % {"error": error}) from error


def sample_context() -> dict[str, Any]:
    line = {
        "n": 1,
        "name": "Кирпич М150",
        "quantity": "1000",
        "unit": "шт",
        "price": money(Decimal("25")),
        "discount": "",
        "vat_rate": "22",
        "total": money(Decimal("25000")),
        "vat_amount": money(Decimal("4508.20")),
    }
    return {
        "document": {"kind": "invoice", "title": "Счёт", "number": 1, "date": dt.date(2026, 1, 15)},
        "seller": {"legal_name": "ООО «Продавец»", "inn": "7707083893", "kpp": "773601001"},
        "buyer": {"name": "ООО «Покупатель»", "inn": "7736207543", "kpp": "770401001", "address": "Москва"},
        "deal": {"id": 1, "title": "Поставка кирпича"},
        "lines": [line],
        "totals": {
            "count": 1,
            "total": money(Decimal("25000")),
            "vat_amount": money(Decimal("4508.20")),
            "without_vat": money(Decimal("20491.80")),
            "has_vat": True,
            "currency": "RUB",
            "in_words": in_words(Decimal("25000"), "RUB"),
        },
        "manager": {"name": "Иван Петров", "email": "ivan@example.com"},
    }


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as error:  # the Python package is there, Pango is not
        raise PdfUnavailable(
            _("PDF rendering needs the Pango libraries on the server (Debian: libpango-1.0-0 libpangoft2-1.0-0).")
        ) from error
    # Only inline data (a logo as a data: URI): a template can make the server read no
    # file and fetch no address; anything else is skipped with a warning in the log.
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1, allow_redirects=False)
    return bytes(HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf())
