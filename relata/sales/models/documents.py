"""Sales documents: commercial offers, invoices, contracts, acts and waybills issued from
a deal, with a number per workspace and kind that never has gaps or repeats, and a PDF
that is kept as issued.

A workspace's template of a kind, when an administrator has edited it, is a
DocumentTemplate row; without one the built-in Russian template is used (files under
relata/sales/document_templates/). The seller's requisites printed on every document are
the workspace's SellerDetails.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relata.core.models import WorkspaceModel
from relata.core.money import MONEY_DIGITS
from relata.sales.models.deals import Deal


class DocumentKind(models.TextChoices):
    QUOTE = "quote", _("Commercial offer")
    INVOICE = "invoice", _("Invoice")
    CONTRACT = "contract", _("Contract")
    ACT = "act", _("Act of services")
    WAYBILL = "waybill", _("Waybill")


class DocumentState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("document state", "Draft")
    SENT = "sent", pgettext_lazy("document state", "Sent")
    SIGNED = "signed", pgettext_lazy("document state", "Signed")
    PAID = "paid", pgettext_lazy("document state", "Paid")


# The states a document may go to from each state. An invoice is paid, the others are
# signed; nothing goes back (a wrong document is issued again as a new one).
NEXT_STATES: dict[str, dict[str, tuple[str, ...]]] = {
    DocumentKind.INVOICE: {
        DocumentState.DRAFT: (DocumentState.SENT, DocumentState.PAID),
        DocumentState.SENT: (DocumentState.PAID,),
    },
}
DEFAULT_NEXT_STATES: dict[str, tuple[str, ...]] = {
    DocumentState.DRAFT: (DocumentState.SENT, DocumentState.SIGNED),
    DocumentState.SENT: (DocumentState.SIGNED,),
}


def next_states(kind: str, state: str) -> tuple[str, ...]:
    return NEXT_STATES.get(kind, DEFAULT_NEXT_STATES).get(state, ())


class DocumentTemplate(WorkspaceModel):
    """A workspace's own template of a kind: HTML in Django's template language, with
    the document's data as plain values (see sales.services.document_render)."""

    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    body = models.TextField(_("template"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )

    access_module: ClassVar[str | None] = "sales"

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        constraints = [models.UniqueConstraint(fields=["workspace", "kind"], name="sales_doctemplate_kind_once")]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class SellerDetails(WorkspaceModel):
    """The workspace's requisites as a seller, printed on its documents (all of FIELDS)."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "legal_name",
        "inn",
        "kpp",
        "ogrn",
        "address",
        "phone",
        "email",
        "bank_name",
        "bik",
        "account",
        "correspondent_account",
        "director",
        "accountant",
    )

    legal_name = models.CharField(_("legal name"), max_length=300)
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True)
    address = models.CharField(_("legal address"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    bank_name = models.CharField(_("bank"), max_length=300, blank=True)
    bik = models.CharField(_("BIK"), max_length=9, blank=True)
    account = models.CharField(_("settlement account"), max_length=20, blank=True)
    correspondent_account = models.CharField(_("correspondent account"), max_length=20, blank=True)
    director = models.CharField(_("director"), max_length=200, blank=True)
    accountant = models.CharField(_("chief accountant"), max_length=200, blank=True)

    access_module: ClassVar[str | None] = "sales"

    class Meta:
        verbose_name = _("seller details")
        verbose_name_plural = _("seller details")
        constraints = [models.UniqueConstraint(fields=["workspace"], name="sales_sellerdetails_once")]

    def __str__(self) -> str:
        return self.legal_name


class DocumentCounter(WorkspaceModel):
    """The last number issued per workspace and kind. It is raised by an UPDATE in the
    transaction that creates the document, so the row stays locked until that commits
    (or rolls back, taking the number with it): no gaps, no repeats."""

    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [models.UniqueConstraint(fields=["workspace", "kind"], name="sales_doccounter_kind_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.last_number}"


def document_path(instance: SalesDocument, filename: str) -> str:
    return f"documents/{instance.workspace_id}/{uuid.uuid4().hex}.pdf"


def documents_storage() -> Any:
    """Documents are kept where attachments are (disk or object storage)."""
    from django.core.files.storage import storages

    return storages["attachments"]


class SalesDocument(WorkspaceModel):
    """One issued document of a deal. The client, amounts and the PDF are kept as they
    were issued; a draft may be rendered again from the deal's current data.

    A document without a deal is a direct order's waybill or act: it is kept with the
    order's shipment (relata.orders.ShipmentDocument) and stays out of the deals' document
    lists, which `documents_visible_to` reads."""

    deal = models.ForeignKey(
        Deal, on_delete=models.PROTECT, null=True, blank=True, related_name="documents", verbose_name=_("deal")
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="sales_documents", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    number = models.PositiveIntegerField(_("number"))
    date = models.DateField(_("date"))
    state = models.CharField(_("state"), max_length=8, choices=DocumentState.choices, default=DocumentState.DRAFT)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=MONEY_DIGITS, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT"), max_digits=MONEY_DIGITS, decimal_places=2)
    pdf = models.FileField(_("PDF"), upload_to=document_path, storage=documents_storage, max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)

    access_module: ClassVar[str | None] = "sales"
    owner_field: ClassVar[str | None] = "deal__owner"

    class Meta:
        verbose_name = _("sales document")
        verbose_name_plural = _("sales documents")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "number"], name="sales_document_number_once"),
            models.CheckConstraint(condition=models.Q(number__gt=0), name="sales_document_number_positive"),
        ]
        indexes = [models.Index(fields=["workspace", "deal"], name="sales_document_ws_deal")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.number}"

    @property
    def file_name(self) -> str:
        return f"{self.get_kind_display()} {self.number} {self.date:%Y-%m-%d}.pdf"
