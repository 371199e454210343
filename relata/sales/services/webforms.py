"""Web forms: their administration (`admin.change`, sales switched on) and the public
submission that turns a visitor's post into a lead.

A submission is checked in this order, and nothing is written unless it passes all:
the key names an active form (else "not found"), the posting site is allowed, the
address has not posted more than the form's limit this minute (counted in Django's
cache, shared by every web process when the cache is), the hidden honeypot field is
empty (bots fill it; the refusal is neutral and logged), and the fields are valid.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from relata.clients.models import Client, ClientKind
from relata.clients.services.assignment import assignment_pick_owner
from relata.core.access import get_visible, require, require_module
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.inputs import active_member, flag, whole
from relata.core.models import Membership
from relata.sales.models import HONEYPOT_FIELD, Lead, LeadSource, WebForm
from relata.sales.models.leads import UTM_FIELDS, WEBFORM_FIELDS
from relata.sales.selectors.leads import known_client, webform_by_key
from relata.sales.services.leads import EVENT_FIELDS, clean_lead

log = logging.getLogger(__name__)

FIELDS = [
    "name",
    "fields",
    "default_source",
    "default_channel",
    "default_campaign",
    "default_owner",
    "is_active",
    "allowed_origins",
    "rate_limit",
    "redirect_url",
]
DEFAULT_FIELDS = ["contact_name", "phone", "email", "message"]
MAX_RATE = 1000
MAX_ORIGINS = 20
WINDOW = 60  # seconds of one rate-limit window


class SubmissionRefused(Exception):
    """A web-form post that is refused as a whole (the view answers `status`)."""

    status = 400
    code = "refused"

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class FormNotFound(SubmissionRefused):
    status = 404
    code = "not_found"


class OriginRefused(SubmissionRefused):
    status = 403
    code = "origin_not_allowed"


class SpamSuspected(SubmissionRefused):
    status = 400
    code = "rejected"


class TooManySubmissions(SubmissionRefused):
    status = 429
    code = "rate_limited"


def new_key() -> str:
    return secrets.token_urlsafe(24)


# --- Administration -----------------------------------------------------------------------


def _require_admin(actor: Membership) -> None:
    require_module(actor, "sales")
    require(actor, "admin", "change")


def _origins(value: Any) -> list[str]:
    """Sites allowed to post ("https://example.com"), from a list or one per line."""
    items = value if isinstance(value, list | tuple) else str(value or "").replace(",", "\n").split("\n")
    origins: list[str] = []
    for item in items:
        text = str(item).strip().rstrip("/").lower()
        if not text:
            continue
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query or "@" in text:
            raise invalid(
                "allowed_origins",
                _("“%(value)s” is not a site address: write it like https://example.com.") % {"value": text[:60]},
            )
        if text not in origins:
            origins.append(text)
    if len(origins) > MAX_ORIGINS:
        raise invalid("allowed_origins", _("At most %(count)d sites.") % {"count": MAX_ORIGINS})
    return origins


def _shown_fields(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else str(value or "").replace(",", " ").split()
    chosen = [str(item).strip() for item in items if str(item).strip()]
    unknown = [name for name in chosen if name not in WEBFORM_FIELDS]
    if unknown:
        raise invalid("fields", _("Unknown field “%(name)s”.") % {"name": unknown[0][:40]})
    ordered = [name for name in WEBFORM_FIELDS if name in chosen]
    if not {"phone", "email"} & set(ordered):
        raise invalid("fields", _("Show the phone or the e-mail: a lead needs a way to reach the contact."))
    return ordered


def _apply(actor: Membership, form: WebForm, values: dict[str, Any], *, creating: bool) -> None:
    def given(name: str) -> bool:
        return creating or name in values

    def text(name: str, limit: int) -> str:
        value = "" if values.get(name) is None else str(values[name]).strip()
        if len(value) > limit:
            raise invalid(name, _("At most %(limit)d characters.") % {"limit": limit})
        return value

    if given("name"):
        form.name = text("name", 150)
        if not form.name:
            raise invalid("name", _("Enter the form's name."), code="required")
    if given("fields"):
        raw = values.get("fields")
        form.fields = _shown_fields(DEFAULT_FIELDS if raw in (None, "", []) and creating else raw)
    if given("default_source"):
        source = text("default_source", 16) or LeadSource.WEB_FORM
        if source not in LeadSource.values:
            raise invalid("default_source", _("Choose a source from the list."))
        form.default_source = source
    if given("default_channel"):
        form.default_channel = text("default_channel", 100)
    if given("default_campaign"):
        form.default_campaign = text("default_campaign", 150)
    if given("default_owner"):
        raw_owner = values.get("default_owner")
        if raw_owner in (None, ""):
            raise invalid("default_owner", _("Choose who gets the leads no rule assigns."), code="required")
        owner = active_member(actor, raw_owner, "default_owner")
        if not owner.can("sales", "view"):
            raise invalid("default_owner", _("%(name)s has no access to sales.") % {"name": owner.user.full_name})
        form.default_owner_id = owner.user_id
    if "is_active" in values:
        form.is_active = flag(values["is_active"], "is_active")
    if given("allowed_origins"):
        form.allowed_origins = _origins(values.get("allowed_origins"))
    if given("rate_limit") and values.get("rate_limit") not in (None, ""):
        form.rate_limit = whole(values["rate_limit"], "rate_limit", low=1, high=MAX_RATE)
    if given("redirect_url"):
        url = text("redirect_url", 500)
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise invalid("redirect_url", _("Enter a web address starting with https://.")) from None
        form.redirect_url = url


def _event(actor: Membership, kind: str, form: WebForm, changes: dict[str, Any]) -> None:
    record_event(kind=kind, workspace=actor.workspace, actor=actor.user, target=form, changes=changes)


@transaction.atomic
def webform_create(actor: Membership, *, values: dict[str, Any]) -> WebForm:
    """A new active form with a fresh public key; the default owner defaults to the actor."""
    _require_admin(actor)
    values = {"default_owner": actor.user_id, **{k: v for k, v in values.items() if v is not None}}
    form = WebForm(workspace_id=actor.workspace_id, key=new_key())
    _apply(actor, form, values, creating=True)
    form.save()
    _event(actor, "webform.created", form, diff({}, snapshot(form, FIELDS)))
    return form


def _writable(actor: Membership, form_id: Any) -> WebForm:
    _require_admin(actor)
    return get_visible(actor, WebForm, form_id, for_write=True)


@transaction.atomic
def webform_update(actor: Membership, form_id: Any, *, version: int, values: dict[str, Any]) -> WebForm:
    form = _writable(actor, form_id)
    before = snapshot(form, FIELDS)
    _apply(actor, form, values, creating=False)
    save_versioned(form, expected_version=version, fields=FIELDS)
    changes = diff(before, snapshot(form, FIELDS))
    if changes:
        _event(actor, "webform.changed", form, changes)
    return form


@transaction.atomic
def webform_regenerate_key(actor: Membership, form_id: Any, *, version: int) -> WebForm:
    """A new public key: the old one stops working at once (sites must get the new code)."""
    form = _writable(actor, form_id)
    form.key = new_key()
    save_versioned(form, expected_version=version, fields=["key"])
    # The keys themselves are not written to the event: the old one may have leaked.
    _event(actor, "webform.key_regenerated", form, {})
    return form


@transaction.atomic
def webform_delete(actor: Membership, form_id: Any) -> None:
    """Delete a form; its leads stay (without the link to it)."""
    form = _writable(actor, form_id)
    _event(actor, "webform.deleted", form, diff(snapshot(form, FIELDS), {}))
    form.delete()


# --- The public submission ----------------------------------------------------------------


def _first(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value)


def _utm(data: Mapping[str, Any], referer: str) -> dict[str, str]:
    """UTM tags posted with the form, else those of the page it was posted from."""
    tags = {name: _first(data, name).strip()[:200] for name in UTM_FIELDS}
    if not any(tags.values()) and referer:
        query = parse_qs(urlsplit(referer).query)
        tags = {name: (query.get(name) or [""])[0].strip()[:200] for name in UTM_FIELDS}
    return {name: value for name, value in tags.items() if value}


def _origin_allowed(form: WebForm, origin: str, referer: str) -> bool:
    if not form.allowed_origins:
        return True
    if not origin and referer:
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    # A post with neither header (a server, a privacy setting) is not refused for that.
    return not origin or origin.rstrip("/").lower() in form.allowed_origins


def count_submission(form: WebForm, ip: str) -> int | None:
    """Count a post from `ip` in the current minute; the seconds to wait when over the
    form's limit, else None."""
    now = time.time()
    window = int(now // WINDOW)
    # By key, not id: ids are reused after a rollback on SQLite, keys never are.
    key = f"relata:webform:{form.key}:{ip}:{window}"
    cache.add(key, 0, timeout=WINDOW * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW * 2)
        count = 1
    if count > form.rate_limit:
        return max(1, int(WINDOW - now % WINDOW))
    return None


def _owner_of(form: WebForm, lead: Lead) -> int:
    """The assignment rules' choice for the lead's client-to-be (the known client when
    there is one), when that colleague has access to sales; else the form's owner."""
    probe = lead.client or Client(
        workspace_id=form.workspace_id,
        kind=ClientKind.COMPANY if lead.company_name else ClientKind.PERSON,
        name=lead.company_name or lead.contact_name,
    )
    chosen = assignment_pick_owner(form.workspace_id, probe)
    if chosen:
        member = Membership.objects.filter(workspace_id=form.workspace_id, user_id=chosen, is_active=True).first()
        if member is not None and member.can("sales", "view"):
            return chosen
    return form.default_owner_id


def webform_submit(key: str, data: Mapping[str, Any], *, ip: str, origin: str = "", referer: str = "") -> Lead:
    """A lead from a visitor's post to the form with `key`; SubmissionRefused or
    ValidationError (naming the fields) otherwise, with nothing written."""
    form = webform_by_key(key)
    if form is None or not form.is_active or not form.workspace.module_enabled("sales"):
        raise FormNotFound(_("There is no such form, or it no longer accepts submissions."))
    if not _origin_allowed(form, origin, referer):
        raise OriginRefused(_("This form does not accept submissions from this site."))
    retry_after = count_submission(form, ip)
    if retry_after is not None:
        log.info("web form %s: more than %s posts a minute from %s", form.pk, form.rate_limit, ip)
        raise TooManySubmissions(
            _("Too many submissions. Try again in %(seconds)d seconds.") % {"seconds": retry_after},
            retry_after=retry_after,
        )
    if _first(data, HONEYPOT_FIELD).strip():
        log.warning("web form %s: honeypot filled in a post from %s; nothing saved", form.pk, ip)
        raise SpamSuspected(_("The submission could not be accepted."))
    values = {name: _first(data, name) for name in form.fields}
    cleaned = clean_lead(values, region=form.workspace.default_phone_region, creating=True)
    with transaction.atomic():
        fields: dict[str, Any] = {
            **cleaned,
            "source": form.default_source,
            "channel": form.default_channel,
            "campaign": form.default_campaign,
            **_utm(data, referer),
        }
        lead = Lead(workspace_id=form.workspace_id, web_form=form, **fields)
        lead.client = known_client(form.workspace_id, phone=lead.phone, email=lead.email, inn=lead.inn)
        lead.owner_id = _owner_of(form, lead)
        lead.save()
        record_event(
            kind="lead.created",
            workspace=form.workspace,
            actor=None,
            actor_label=_("Web form “%(name)s”") % {"name": form.name},
            target=lead,
            changes=diff({}, {k: v for k, v in snapshot(lead, EVENT_FIELDS).items() if v}),
            data={"web_form": form.pk},
        )
    return lead
