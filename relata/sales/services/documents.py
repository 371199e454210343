"""Issuing sales documents from a deal, numbering them, moving them through their states
and sending them by e-mail.

Numbers come from a per-workspace-and-kind counter raised in the same transaction that
creates the document: concurrent issues wait for each other on the counter's row, and
a failed issue (a broken template, an error while rendering) rolls its number back with
it, so the numbers have neither gaps nor repeats.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relata.core.access import get_visible
from relata.core.audit import record_event
from relata.core.counters import raise_counter
from relata.core.errors import invalid
from relata.core.inputs import date_or_today
from relata.core.models import Membership
from relata.core.services.notifications import email_enqueue
from relata.sales.models import Deal, DocumentCounter, DocumentKind, DocumentState, SalesDocument, next_states
from relata.sales.services.document_render import (
    DocumentSubject,
    LineLike,
    PdfUnavailable,
    document_context,
    html_to_pdf,
    render_html,
    seller_details,
    template_source,
)

MAX_SUBJECT = 300
MAX_MESSAGE = 10_000


def next_number(workspace_id: int, kind: str) -> int:
    """The next number of `kind` in the workspace. Call inside the transaction that
    creates the document: the UPDATE keeps the counter's row locked until it ends."""
    return raise_counter(DocumentCounter, workspace_id=workspace_id, kind=kind)


def _kind(value: Any) -> str:
    if value not in DocumentKind.values:
        raise invalid("kind", _("Choose a kind of document: %(kinds)s.") % {"kinds": ", ".join(DocumentKind.values)})
    return str(value)


def _render(
    deal: Deal | DocumentSubject, *, kind: str, number: int, date: dt.date, lines: Sequence[LineLike] | None = None
) -> tuple[bytes, Any, Any]:
    context, total, vat = document_context(
        deal, kind=kind, number=number, date=date, seller=seller_details(deal.workspace), lines=lines
    )
    try:
        html = render_html(template_source(deal.workspace_id, kind), context)
    except Exception as error:  # an administrator's template that fails on this deal's data
        raise invalid(
            "template", _("The document template fails on this deal: %(error)s") % {"error": error}
        ) from error
    try:
        return html_to_pdf(html), total, vat
    except PdfUnavailable as error:
        raise invalid("pdf", str(error)) from error


def _deal_for_document(actor: Membership, deal_id: int) -> Deal:
    deal = get_visible(
        actor,
        Deal.objects.select_related("client", "owner", "workspace").prefetch_related("lines", "client__addresses"),
        deal_id,
        for_write=True,
    )
    if deal.client_id is None:
        raise invalid(
            "deal", _("Choose the deal's client first: a document is addressed to a client."), code="no_client"
        )
    return deal


def _client_id(deal: Deal | DocumentSubject) -> int:
    if deal.client_id is None:  # _deal_for_document has refused such a deal already
        raise invalid("deal", _("Choose the deal's client first: a document is addressed to a client."))
    return deal.client_id


@transaction.atomic
def document_issue(actor: Membership, deal_id: int, *, kind: Any, date: Any = None) -> SalesDocument:
    """A new document of `kind` for the deal, numbered, rendered to PDF, as a draft."""
    kind = _kind(kind)
    date = date_or_today(date)
    deal = _deal_for_document(actor, deal_id)
    return issue_for_deal(actor, deal, kind=kind, date=date)


def issue_for_deal(
    actor: Membership, deal: Deal, *, kind: str, date: dt.date, lines: Sequence[LineLike] | None = None
) -> SalesDocument:
    """Issue a document of a deal the caller has checked the actor may document (here,
    `document_issue`; relata.orders for a shipment's waybill, under `catalog.change`),
    from the deal's lines or from `lines`. Call inside a transaction."""
    if deal.client_id is None:
        raise invalid(
            "deal", _("Choose the deal's client first: a document is addressed to a client."), code="no_client"
        )
    return _issue(actor, deal, deal=deal, kind=kind, date=date, lines=lines)


def issue_without_deal(
    actor: Membership, subject: DocumentSubject, *, kind: str, date: dt.date, lines: Sequence[LineLike]
) -> SalesDocument:
    """Issue a document of something without a deal (a direct order's waybill or act),
    which the caller has checked the actor may document. It is kept with that record
    (relata.orders links it to the shipment), not in the deals' documents."""
    return _issue(actor, subject, deal=None, kind=kind, date=date, lines=lines)


def _issue(
    actor: Membership,
    subject: Deal | DocumentSubject,
    *,
    deal: Deal | None,
    kind: str,
    date: dt.date,
    lines: Sequence[LineLike] | None,
) -> SalesDocument:
    number = next_number(subject.workspace_id, kind)
    pdf, total, vat = _render(subject, kind=kind, number=number, date=date, lines=lines)
    document = SalesDocument(
        workspace_id=subject.workspace_id,
        deal=deal,
        client_id=_client_id(subject),
        kind=kind,
        number=number,
        date=date,
        currency=subject.currency,
        total=total,
        vat_amount=vat,
        created_by=actor.user,
    )
    document.pdf.save("document.pdf", ContentFile(pdf), save=False)
    document.save()
    record_event(
        kind="document.issued",
        workspace=actor.workspace,
        actor=actor.user,
        target=deal or document,
        data={"document": document.pk, "kind": kind, "number": number, "total": str(total)},
    )
    return document


def _document_for_write(actor: Membership, document_id: int) -> SalesDocument:
    return get_visible(
        actor,
        SalesDocument.objects.filter(deal__isnull=False).select_related(
            "deal", "deal__client", "deal__owner", "deal__workspace"
        ),
        document_id,
        for_write=True,
    )


@transaction.atomic
def document_regenerate(actor: Membership, document_id: int) -> SalesDocument:
    """Render a draft again from the deal's current data (same number and date)."""
    document = _document_for_write(actor, document_id)
    if document.state != DocumentState.DRAFT:
        raise invalid("state", _("Only a draft is rendered again; a sent document stays as it was sent."))
    deal = _deal_for_document(actor, int(document.deal_id or 0))  # only deals' documents reach here
    pdf, total, vat = _render(deal, kind=document.kind, number=document.number, date=document.date)
    old = document.pdf.name or ""
    document.pdf.save("document.pdf", ContentFile(pdf), save=False)
    document.total, document.vat_amount, document.client_id = total, vat, _client_id(deal)
    document.save(update_fields=["pdf", "total", "vat_amount", "client", "updated_at"])
    storage = document.pdf.storage
    if old:
        transaction.on_commit(lambda: storage.delete(old))
    record_event(
        kind="document.regenerated",
        workspace=actor.workspace,
        actor=actor.user,
        target=deal,
        data={"document": document.pk, "kind": document.kind, "number": document.number, "total": str(total)},
    )
    return document


def _move(actor: Membership, document: SalesDocument, state: str) -> None:
    if state not in next_states(document.kind, document.state):
        allowed = ", ".join(str(DocumentState(s).label) for s in next_states(document.kind, document.state))
        raise invalid(
            "state",
            _("A %(kind)s that is %(state)s can become: %(allowed)s.")
            % {
                "kind": document.get_kind_display().lower(),
                "state": document.get_state_display().lower(),
                "allowed": allowed or _("nothing else"),
            },
            code="transition",
        )
    before = document.state
    # Conditional: of two people changing the state at once, the second is refused.
    changed = SalesDocument.objects.filter(pk=document.pk, state=before).update(
        state=state, state_changed_at=timezone.now()
    )
    if not changed:
        raise invalid("state", _("Someone has just changed this document's state; reload it."), code="stale")
    document.state = state
    record_event(
        kind="document.state_changed",
        workspace=actor.workspace,
        actor=actor.user,
        target=document.deal,
        changes={"state": [before, state]},
        data={"document": document.pk, "kind": document.kind, "number": document.number},
    )


@transaction.atomic
def document_set_state(actor: Membership, document_id: int, *, state: Any) -> SalesDocument:
    document = _document_for_write(actor, document_id)
    if state not in DocumentState.values:
        raise invalid("state", _("Choose a state: %(states)s.") % {"states": ", ".join(DocumentState.values)})
    _move(actor, document, str(state))
    return document


def default_subject(document: SalesDocument) -> str:
    return _("%(kind)s № %(number)s of %(date)s") % {
        "kind": document.get_kind_display(),
        "number": document.number,
        "date": date_format(document.date, "SHORT_DATE_FORMAT"),
    }


@transaction.atomic
def document_send(
    actor: Membership, document_id: int, *, to: Any, subject: Any = "", message: Any = ""
) -> SalesDocument:
    """E-mail the document's PDF (through the outbox, after commit); a draft becomes sent."""
    document = _document_for_write(actor, document_id)
    address = str(to or "").strip().lower()
    if not address:
        raise invalid("to", _("Enter the recipient's e-mail."), code="required")
    try:
        validate_email(address)
    except DjangoValidationError:
        raise invalid("to", _("Enter a valid e-mail address.")) from None
    subject = str(subject or "").strip() or default_subject(document)
    if len(subject) > MAX_SUBJECT:
        raise invalid("subject", _("At most %(limit)d characters.") % {"limit": MAX_SUBJECT})
    body = str(message or "").strip()
    if len(body) > MAX_MESSAGE:
        raise invalid("message", _("At most %(limit)d characters.") % {"limit": MAX_MESSAGE})
    email_enqueue(
        workspace_id=document.workspace_id,
        key=f"sales.document:{document.pk}:{uuid.uuid4().hex}",
        to=address,
        subject=subject,
        body=body or subject,
        attachment=document.pdf.name or "",
        attachment_name=document.file_name,
    )
    if document.state == DocumentState.DRAFT:
        _move(actor, document, DocumentState.SENT)
    record_event(
        kind="document.sent",
        workspace=actor.workspace,
        actor=actor.user,
        target=document.deal,
        data={"document": document.pk, "kind": document.kind, "number": document.number, "to": address},
    )
    return document
