"""What administrators (`admin.change`, with the sales module on) configure for sales
documents: the workspace's own template of each kind, and the seller's requisites
printed on every document.

A template row exists only while the workspace uses its own template of that kind;
resetting deletes the row and the built-in template is used again. A template is saved
only if it parses and renders a sample document (document_render.check_template), so an
issued document never fails on a broken template.

The seller's details are one row per workspace, created on the first save. Every field
is checked and all the refusals are given at once, each naming its field; nothing is
saved unless all pass.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relata.clients.normalize import InvalidValue, normalize_email, normalize_phone, validate_inn, validate_kpp
from relata.clients.normalize import validate_ogrn as check_ogrn
from relata.core.access import require, require_module
from relata.core.audit import diff, record_event, snapshot
from relata.core.errors import invalid
from relata.core.models import Membership
from relata.sales.models import DocumentKind, DocumentTemplate, SellerDetails
from relata.sales.services.document_render import check_template

# The free-text fields' limits (the model's); the numbers are checked for their exact length.
TEXT_LIMITS = {
    "legal_name": 300,
    "address": 500,
    "phone": 50,
    "email": 254,
    "bank_name": 300,
    "director": 200,
    "accountant": 200,
}
SELLER_FIELDS = list(SellerDetails.FIELDS)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_SPACES = re.compile(r"[\s\-‐‑‒–—]+")  # as people group the digits
# Weights of the check key of a Russian bank account (Bank of Russia regulation 385-P).
_ACCOUNT_WEIGHTS = ([7, 1, 3] * 8)[:23]  # 3 digits from the BIK, then the 20 of the account


def _administrator(actor: Membership) -> None:
    require(actor, "admin", "change")
    require_module(actor, "sales")  # switched off: its settings do not exist either


def _kind(kind: Any) -> str:
    if kind not in DocumentKind.values:
        raise invalid("kind", _("Choose a kind of document: %(kinds)s.") % {"kinds": ", ".join(DocumentKind.values)})
    return str(kind)


# --- Templates -------------------------------------------------------------------------


@transaction.atomic
def document_template_save(actor: Membership, kind: str, body: str) -> DocumentTemplate:
    """Make `body` the workspace's template of `kind` (created on the first save). Refused
    with an error on `body` if it does not parse or fails on a sample document. Saving the
    same text again changes nothing and records no event."""
    _administrator(actor)
    kind = _kind(kind)
    if not isinstance(body, str):
        raise invalid("body", _("Enter the template."), code="required")
    body = body.replace("\r\n", "\n")  # as a browser's textarea sends it
    check_template(body, "body")
    template = DocumentTemplate.objects.select_for_update().filter(workspace_id=actor.workspace_id, kind=kind).first()
    was_builtin = template is None
    if template is None:
        template = DocumentTemplate(workspace_id=actor.workspace_id, kind=kind, body=body, changed_by=actor.user)
        try:
            with transaction.atomic():
                template.save()
        except IntegrityError as exc:  # another administrator saved the first version a moment ago
            raise invalid("body", _("Another administrator has just saved this template; open it again.")) from exc
    elif template.body != body:
        template.body = body
        template.changed_by = actor.user
        template.save(update_fields=["body", "changed_by", "updated_at"])
    else:
        return template
    # Not the texts themselves (up to 200 000 characters each): their lengths and whose they were.
    record_event(
        kind="document_template.saved",
        workspace=actor.workspace,
        actor=actor.user,
        target=template,
        data={"kind": kind, "was_builtin": was_builtin, "characters": len(body)},
    )
    return template


@transaction.atomic
def document_template_reset(actor: Membership, kind: str) -> None:
    """Delete the workspace's template of `kind`: the built-in one is used again. Nothing
    happens (and no event) when the workspace already uses the built-in one."""
    _administrator(actor)
    kind = _kind(kind)
    template = DocumentTemplate.objects.select_for_update().filter(workspace_id=actor.workspace_id, kind=kind).first()
    if template is None:
        return
    record_event(
        kind="document_template.reset",
        workspace=actor.workspace,
        actor=actor.user,
        target=template,
        data={"kind": kind, "characters": len(template.body)},
    )
    template.delete()


# --- Seller details --------------------------------------------------------------------


def _refused(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


def _digits(value: str, length: int, message: str) -> str:
    compact = _SPACES.sub("", value)
    if not (len(compact) == length and _DIGITS.fullmatch(compact)):
        raise _refused(message)
    return compact


def _key_matches(prefix: str, account: str) -> bool:
    number = prefix + account
    return sum(int(digit) * weight for digit, weight in zip(number, _ACCOUNT_WEIGHTS, strict=True)) % 10 == 0


def _clean_field(name: str, raw: Any) -> str:
    """One field's stored value, or a ValidationError with the message for the user."""
    value = "" if raw is None else str(raw).strip()
    limit = TEXT_LIMITS.get(name, 100)  # a number with spaces is still far shorter
    if len(value) > limit:
        raise _refused(_("At most %(limit)d characters.") % {"limit": limit})
    if name == "legal_name" and not value:
        raise _refused(_("Enter the seller's legal name."), code="required")
    if not value:
        return ""
    try:
        if name == "inn":
            return validate_inn(value)
        if name == "kpp":
            return validate_kpp(value)
        if name == "ogrn":
            return check_ogrn(value)
        if name == "email":
            return normalize_email(value)
        if name == "phone":
            normalize_phone(value)  # checked; printed as the administrator wrote it
            return value
    except InvalidValue as exc:
        raise _refused(exc.message, code=exc.code) from exc
    if name == "bik":
        return _digits(value, 9, _("A BIK has 9 digits."))
    if name == "account":
        return _digits(value, 20, _("A settlement account has 20 digits."))
    if name == "correspondent_account":
        return _digits(value, 20, _("A correspondent account has 20 digits."))
    return value


def _check_accounts(values: dict[str, str], errors: dict[str, list[ValidationError]]) -> None:
    """The accounts' check keys against the BIK, as banks check them: a mistyped digit in
    an invoice's account sends the client's payment nowhere."""
    bik = values.get("bik", "")
    if not bik or "bik" in errors:
        return
    account = values.get("account", "")
    # Treasury BIKs (00…) use other rules for settlement accounts, and their single
    # treasury account stands where a bank's correspondent account would: its key only.
    if account and "account" not in errors and not bik.startswith("00"):
        prefix = "0" + bik[4:6] if bik[-3:] in ("000", "001", "002") else bik[-3:]
        if not _key_matches(prefix, account):
            errors["account"] = [_refused(_("The settlement account does not match the BIK: check both numbers."))]
    correspondent = values.get("correspondent_account", "")
    # A bank's correspondent account ends with the last three digits of its BIK.
    same_bank = bik.startswith("00") or correspondent[-3:] == bik[-3:]
    if (
        correspondent
        and "correspondent_account" not in errors
        and not (same_bank and _key_matches("0" + bik[4:6], correspondent))
    ):
        message = _("The correspondent account does not match the BIK: check both numbers.")
        errors["correspondent_account"] = [_refused(message)]


def seller_details_values(values: dict[str, Any], current: dict[str, str]) -> dict[str, str]:
    """The cleaned values of the fields given (the others as in `current`), or a
    ValidationError naming every field that is refused."""
    unknown = sorted(set(values) - set(SELLER_FIELDS))
    if unknown:
        raise invalid(unknown[0], _("This cannot be changed."))
    cleaned = dict(current)
    errors: dict[str, list[ValidationError]] = {}
    for name in SELLER_FIELDS:
        if name not in values and name != "legal_name":
            continue
        try:
            cleaned[name] = _clean_field(name, values.get(name, current.get(name, "")))
        except ValidationError as refused:
            errors[name] = [refused]
    _check_accounts(cleaned, errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def seller_details_save(actor: Membership, values: dict[str, Any]) -> SellerDetails:
    """Change the workspace's seller details (the keys of `values` given; the row is
    created on the first save, the other fields then empty). Returns the saved row; an
    event records the changed fields."""
    _administrator(actor)
    details = SellerDetails.objects.select_for_update().filter(workspace_id=actor.workspace_id).first()
    creating = details is None
    if details is None:
        details = SellerDetails(workspace_id=actor.workspace_id)
    # New details: the event lists the fields filled in, not every empty one.
    before = dict.fromkeys(SELLER_FIELDS, "") if creating else snapshot(details, SELLER_FIELDS)
    current = {name: getattr(details, name) for name in SELLER_FIELDS}
    for name, value in seller_details_values(values, current).items():
        setattr(details, name, value)
    changes = diff(before, snapshot(details, SELLER_FIELDS))
    if not creating and not changes:
        return details
    try:
        with transaction.atomic():
            details.save()
    except IntegrityError as exc:  # another administrator created them a moment ago
        raise invalid("legal_name", _("Another administrator has just saved the details; open them again.")) from exc
    record_event(
        kind="seller_details.saved", workspace=actor.workspace, actor=actor.user, target=details, changes=changes
    )
    return details
