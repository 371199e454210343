"""The import pipeline: file rows → validated values → duplicate decisions → clients,
written chunk by chunk.

Stages of one chunk (`Importer.plan` then `Importer.write`):

1. every row becomes the `values` `prepare_client` accepts (empty cells are left out:
   an import never erases what the base knows) and is validated with one
   `ClientContext`; a bad row fails with its errors named by column;
2. its duplicate keys (INN, e-mails, phones and, for companies, the matching name) are
   looked up with a few set-based queries per chunk, against the whole workspace, and
   against the earlier rows of the file;
3. the policy decides: skip the row, update the client it matches, or create a new one.
   A match with a client outside the actor's scope is always skipped, without naming the
   client ("belongs to a colleague"): the import neither changes nor reveals it;
4. the chunk is written in one transaction with bulk inserts and updates, with one
   `ImportRowResult` per row and the batch's counters, so a chunk is all there or not
   at all. `ImportBatch.rows_done` is the last row written: a resumed job continues after it.

Several rows of one file that describe one client (same INN, phone, e-mail…) under the
"update" policy all go into that client; the first row that touched it holds the
snapshot to undo it (`before`), the others point at that row (`before = {"row": n}`).

Undo (`undo_import`) deletes the clients the import created and restores the ones it
updated, except those changed since (their `fingerprint` differs from the one the import
recorded), no longer in the actor's scope, or still needed by other records; those are
kept and the reason is written on their row.

New clients without an owner (column or default) get one from the assignment rules, as
in a form. On PostgreSQL rows are inserted with COPY (`bulk_insert`, `insert_rows`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from relata.clients.importing.parsers import Row
from relata.clients.models import (
    AddressKind,
    AssignmentRule,
    Client,
    ClientAddress,
    ClientEmail,
    ClientKind,
    ClientMergeLink,
    ClientPhone,
    Employment,
    ImportBatch,
    ImportRowResult,
    PhoneKind,
    Tag,
)
from relata.clients.models.imports import DuplicatePolicy, RowAction
from relata.clients.normalize import matching_name
from relata.clients.services.assignment import assignment_pick_owners
from relata.clients.services.clients import DERIVED, apply_derived, tags_get_or_create
from relata.clients.services.prepare import (
    ClientContext,
    PreparedClient,
    person_name,
    prepare_client,
    split_list,
)
from relata.core.access import scope_queryset
from relata.core.audit import json_value
from relata.core.collection import collected_per_chunk
from relata.core.db import exact_lookups
from relata.core.export import FORMULA_TRIGGERS
from relata.core.models import Event, Membership

CHUNK_SIZE = 1000
PREVIEW_ROWS = 20
UNDO_CHUNK_SIZE = 500

ADDRESS_PARTS = ("street", "city", "region", "postcode", "country")
ADDRESS_FIELDS = ("kind", "country", "region", "city", "street", "postcode", "is_primary")
# Keys are compared in this order: the first that matches decides which client a row is.
KEY_ORDER = ("inn", "email", "phone", "name")
KEY_LABELS = {"inn": _lazy("INN"), "email": _lazy("e-mail"), "phone": _lazy("phone"), "name": _lazy("name")}
PERSON_NAME_PARTS = ("last_name", "first_name", "middle_name")
WRITTEN = (RowAction.CREATED, RowAction.UPDATED)
# vCard TYPE values and what people write in a "phone kind" column.
PHONE_KIND_WORDS = {
    PhoneKind.MOBILE: ("cell", "mobile", "моб", "мобильный", "сотовый", "iphone"),
    PhoneKind.WORK: ("work", "рабочий", "раб", "office", "офис"),
    PhoneKind.HOME: ("home", "домашний", "дом"),
    PhoneKind.FAX: ("fax", "факс"),
}
_PHONE_KIND_OF = {word: kind.value for kind, words in PHONE_KIND_WORDS.items() for word in words}
# Words of a vCard TYPE that say nothing about the kind of phone.
_NEUTRAL_PHONE_WORDS = frozenset({"voice", "pref", "internet", "x400", "msg", "text", "main"})
# Country names found in address books and exports, as the ISO codes addresses store.
COUNTRY_CODES = {
    name: code
    for code, names in {
        "RU": ("россия", "российская федерация", "рф", "russia", "russian federation"),
        "BY": ("беларусь", "белоруссия", "республика беларусь", "belarus"),
        "KZ": ("казахстан", "республика казахстан", "kazakhstan"),
        "UA": ("украина", "ukraine"),
        "UZ": ("узбекистан", "uzbekistan"),
        "KG": ("киргизия", "кыргызстан", "kyrgyzstan"),
        "TJ": ("таджикистан", "tajikistan"),
        "AM": ("армения", "armenia"),
        "AZ": ("азербайджан", "azerbaijan"),
        "GE": ("грузия", "georgia"),
        "MD": ("молдова", "молдавия", "moldova"),
        "TM": ("туркмения", "туркменистан", "turkmenistan"),
        "BG": ("болгария", "българия", "bulgaria"),
        "DE": ("германия", "germany", "deutschland"),
        "CN": ("китай", "china"),
        "TR": ("турция", "turkey", "türkiye"),
        "US": ("сша", "usa", "united states", "united states of america"),
        "GB": ("великобритания", "united kingdom", "uk"),
    }.items()
    for name in names
}
EMPTY_EXISTING: dict[str, Any] = {"custom": {}, "last_name": "", "first_name": "", "middle_name": ""}
SCALAR_ATTNAMES = ("name", "status_id", "owner_id", "parent_id")


# --- Cells ---------------------------------------------------------------------------


def unneutralise(cell: str) -> str:
    """Undo the apostrophe Relata's export puts before text that starts like a formula
    ("'+7 916…", "'=SUM"), so an exported file imports back as the same values."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_TRIGGERS:
        return cell[1:]
    return cell


def phone_kind(text: str, default: str) -> str:
    """A kind of phone from a vCard TYPE ("cell,voice") or a typed word ("Мобильный")."""
    for word in re.split(r"[\s,;/]+", text.casefold()):
        word = word.strip().strip('"').rstrip(".")
        if not word or word in _NEUTRAL_PHONE_WORDS:
            continue
        return _PHONE_KIND_OF.get(word, PhoneKind.OTHER.value)
    return default


@dataclass(frozen=True)
class Column:
    index: int
    key: str
    header: str


@dataclass
class RowInput:
    """One row as `prepare_client` values, and where each value came from."""

    values: dict[str, Any]
    sources: dict[str, int]  # error key ("inn", "phones.1", "custom.x") → column index
    company: str = ""  # person: the employer, by name or INN
    job_title: str = ""
    parent: str = ""  # company: the parent company, by name or INN


def compile_mapping(mapping: dict[str, str], headers: list[str]) -> list[Column]:
    """The mapping as Columns in file order (columns beyond the header are ignored)."""
    columns = []
    for index_text, key in mapping.items():
        index = int(index_text)
        if key and 0 <= index < len(headers):
            columns.append(Column(index, key, headers[index]))
    return sorted(columns, key=lambda column: column.index)


def row_input(columns: list[Column], cells: list[str], kind: str) -> RowInput:
    """The non-empty mapped cells of a row as values for `prepare_client`.

    Phones and e-mails from every column (a cell may hold several, "a; b") form one
    list each; address parts form one address; "phone_kind" applies to the phones of
    the column just before it.
    """
    values: dict[str, Any] = {}
    sources: dict[str, int] = {}
    phones: list[dict[str, Any]] = []
    phone_columns: list[int] = []
    emails: list[str] = []
    address: dict[str, str] = {}
    custom: dict[str, str] = {}
    result = RowInput(values, sources)
    default_kind = PhoneKind.MOBILE.value if kind == ClientKind.PERSON else PhoneKind.WORK.value
    for column in columns:
        index = column.index
        cell = cells[index] if index < len(cells) else ""
        if cell[:1] == "'":
            cell = unneutralise(cell)
        if not cell:
            continue
        key = column.key
        if key == "phone":
            for number in split_list(cell):
                sources[f"phones.{len(phones)}"] = index
                phones.append({"number": number, "kind": default_kind})
                phone_columns.append(index)
        elif key == "phone_kind":
            for position, source in enumerate(phone_columns):
                if source == index - 1:
                    phones[position]["kind"] = phone_kind(cell, default_kind)
        elif key == "email":
            for email in split_list(cell):
                sources[f"emails.{len(emails)}"] = index
                emails.append(email)
        elif key in ADDRESS_PARTS:
            if key == "country":
                cell = COUNTRY_CODES.get(cell.casefold().replace("ё", "е"), cell)
                if len(cell) != 2:  # the address error will be about this column
                    sources["addresses.0"] = index
            address[key] = cell
            sources.setdefault("addresses.0", index)
        elif key.startswith("custom."):
            custom[key[7:]] = cell
            sources[key] = index
        elif key == "company":
            result.company = cell
            sources["company"] = sources["companies"] = sources["companies.0"] = index
        elif key == "job_title":
            result.job_title = cell
            sources.setdefault("job_title", index)
        elif key == "parent":
            result.parent = cell
            sources["parent"] = index
        else:
            values[key] = cell
            sources[key] = index
    if phones:
        values["phones"] = phones
    if emails:
        values["emails"] = emails
    if address:
        address["kind"] = AddressKind.HOME.value if kind == ClientKind.PERSON else AddressKind.ACTUAL.value
        values["addresses"] = [address]
    if custom:
        values["custom"] = custom
    return result


# --- Plans ---------------------------------------------------------------------------


@dataclass
class ClientState:
    """What a client will be after the chunk: its fields and the rows around it."""

    fields: dict[str, Any]  # model attnames: name, status_id, owner_id, inn…, custom
    phones: list[dict[str, Any]] = field(default_factory=list)
    emails: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)
    companies: list[dict[str, Any]] = field(default_factory=list)
    auto_owner: bool = False  # no owner in the row or the defaults: the assignment rules choose


@dataclass
class RowPlan:
    """What happens to one row. `target` is the client it creates or updates."""

    number: int
    cells: list[str]
    action: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)
    prepared: PreparedClient | None = None
    explicit_name: bool = False
    sources: dict[str, int] = field(default_factory=dict)
    refs: RowInput | None = None
    keys: list[tuple[str, str]] = field(default_factory=list)
    target: Pending | None = None
    note: str = ""  # for the preview: which client the row matched and why
    # The client the row would create, built once: its derived match name is also the
    # row's name key, and a row that does create a client is written from it as is.
    state: ClientState | None = None
    client: Client | None = None


@dataclass
class Pending:
    """A client the chunk writes: a new one (`client_id` None) or an existing one.

    `rows` are the rows that go into it, in file order. `owner_row` is set when an
    earlier chunk of this import already created or updated the client: that row keeps
    the undo snapshot, and this chunk extends it.
    """

    rows: list[RowPlan]
    client_id: int | None = None
    owner_row: int | None = None
    label: str = ""
    inn: str = ""
    owner_id: int | None = None  # of the existing client
    new: bool = False  # a client this chunk creates (its id is known once written)
    fingerprint: str = ""  # of the client as this chunk leaves it (see `fingerprint`)

    @property
    def creates(self) -> bool:
        return self.new


@dataclass
class Candidate:
    """An existing client some row may duplicate."""

    pk: int
    name: str
    inn: str
    owner_id: int
    visible: bool
    batch_row: int | None  # the first row of this import that created or updated it


@dataclass
class ChunkOutcome:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0


def _prepared(plan: RowPlan) -> PreparedClient:
    if plan.prepared is None:
        raise RuntimeError(f"row {plan.number} has no valid values")
    return plan.prepared


def error(field_key: str, column: str, message: str) -> dict[str, Any]:
    return {"field": field_key, "column": column, "message": message}


def reason_text(errors: list[dict[str, Any]], labels: dict[str, str] | None = None) -> str:
    """The errors of a row as one sentence per field: "ИНН: “12” is not a valid INN…"."""
    parts = []
    for item in errors:
        where = item.get("column") or (labels or {}).get(str(item.get("field", "")).split(".")[0], "")
        message = str(item["message"])
        parts.append(f"{where}: {message}" if where else message)
    return " ".join(p if p.endswith((".", "!", "?", "…")) else p + "." for p in parts)


class Importer:
    """Runs the stages for one batch, as its actor. Build it once per job run: it caches
    the workspace's statuses, tags, custom fields and members (`ClientContext`)."""

    def __init__(self, actor: Membership, batch: ImportBatch, context: ClientContext | None = None) -> None:
        self.actor = actor
        self.batch = batch
        self.kind = batch.entity
        self.workspace_id = actor.workspace_id
        self.context = context or ClientContext.load(actor)
        self.headers: list[str] = [str(h) for h in batch.headers]
        self.columns = compile_mapping(batch.mapping, self.headers)
        self.policy = batch.policy
        defaults = batch.defaults or {}
        self.default_status_id: int | None = defaults.get("status") or self.context.default_status_id
        self.default_owner_id: int = defaults.get("owner") or actor.user_id
        self.default_source: str = defaults.get("source") or ""
        self.default_tags: list[str] = list(defaults.get("tags") or [])
        self.match_names = self.kind == ClientKind.COMPANY and defaults.get("match_names", True)
        self.may_assign = actor.can("clients", "assign")
        # New clients without an owner in the row or the defaults go by the assignment
        # rules, as in a form (checked once: without rules the import costs nothing more).
        self.auto_assign = not defaults.get("owner") and (
            AssignmentRule.objects.filter(workspace_id=self.workspace_id, is_active=True).exists()
        )
        self.required_custom = [d for d in self.context.custom.get(self.kind, []) if d.required]
        self.client_type = ContentType.objects.get_for_model(Client)
        # New clients are built from a row of their fields' defaults, by position: Django's
        # keyword path looks up every one of the model's 45 fields (twice the cost, 15 µs).
        concrete = Client._meta.concrete_fields
        self._positions = {f.attname: i for i, f in enumerate(concrete)}
        self._blank_client = [f.get_default() for f in concrete]
        self._blank_client[self._positions["workspace_id"]] = self.workspace_id
        self._blank_client[self._positions["kind"]] = self.kind

    # --- stage 1: values and validation ----------------------------------------------

    def _column(self, key: str, sources: dict[str, int]) -> str:
        index = sources.get(key)
        if index is None and "." in key:
            index = sources.get(key.split(".")[0])
        return self.headers[index] if index is not None else ""

    def _validate(self, row: Row) -> RowPlan:
        plan = RowPlan(number=row.number, cells=row.values)
        if row.problem:
            plan.action = RowAction.FAILED
            plan.errors.append(error("", "", row.problem))
            return plan
        data = row_input(self.columns, row.values, self.kind)
        plan.sources, plan.refs = data.sources, data
        plan.explicit_name = "name" in data.values
        try:
            plan.prepared = prepare_client(self.context, self.kind, data.values, existing=EMPTY_EXISTING)
        except ValidationError as exc:
            problems = exc.message_dict.items()
            self._fail(plan, [error(k, self._column(k, data.sources), m) for k, ms in problems for m in ms])
        return plan

    def _fail(self, plan: RowPlan, errors: list[dict[str, Any]]) -> None:
        plan.action = RowAction.FAILED
        plan.errors.extend(errors)
        plan.prepared = None
        plan.target = None

    def _creation_errors(self, plan: RowPlan) -> list[dict[str, Any]]:
        """What a new client needs beyond what an update does: a name, a status, required
        custom fields, and the right to give it to someone else."""
        fields = plan.state.fields if plan.state is not None else _prepared(plan).fields
        problems = []
        if not fields.get("name"):
            message = _("Enter the name.") if self.kind == ClientKind.COMPANY else _("Enter the person's name.")
            problems.append(error("name", self._column("name", plan.sources), message))
        if not fields.get("status_id"):
            problems.append(error("status", "", _("The workspace has no lifecycle status in use.")))
        custom = _prepared(plan).custom or {}
        for definition in self.required_custom:
            if custom.get(definition.key) in (None, "", []):
                key = f"custom.{definition.key}"
                column = self._column(key, plan.sources) or definition.label
                problems.append(error(key, column, _("This field is required.")))
        problems += self._owner_errors(plan, current_owner=None)
        return problems

    def _owner_errors(self, plan: RowPlan, *, current_owner: int | None) -> list[dict[str, Any]]:
        owner_id = _prepared(plan).fields.get("owner_id")
        if owner_id in (None, self.actor.user_id, current_owner) or self.may_assign:
            return []
        message = _("You may not give clients to colleagues (that needs the “assign” permission).")
        return [error("owner", self._column("owner", plan.sources), message)]

    def _companies(self, wanted: set[str]) -> dict[str, int]:
        """Visible companies by the INN or name the rows give: text → company id."""
        inns = {text for text in wanted if text.isdigit() and len(text) in (10, 12)}
        names = {matching_name(text)[:255]: text for text in wanted - inns}
        visible = scope_queryset(self.actor, Client.objects.filter(kind=ClientKind.COMPANY)).order_by("pk")
        found: dict[str, int] = {}
        if inns:
            for pk, inn in visible.filter(inn__in=inns).values_list("pk", "inn"):
                found.setdefault(inn, pk)
        if names:
            for pk, key in visible.filter(match_name__in=list(names)).values_list("pk", "match_name"):
                found.setdefault(names[key], pk)
        return found

    def _resolve_references(self, plans: list[RowPlan]) -> None:
        """Employers (people) and parent companies named by INN or name, among the
        companies the actor can see: one or two queries per chunk. A job title without
        an employer becomes the person's occupation."""
        live = [p for p in plans if p.prepared is not None and p.refs is not None]
        wanted = {text for p in live if (text := p.refs.company or p.refs.parent)}  # type: ignore[union-attr]
        with exact_lookups():
            found = self._companies(wanted) if wanted else {}
        for plan in live:
            ref, prepared = plan.refs, _prepared(plan)
            if ref is None:
                continue
            text = ref.company or ref.parent
            if not text:
                if ref.job_title and self.kind == ClientKind.PERSON:
                    prepared.fields.setdefault("occupation", ref.job_title[:150])
                continue
            key = "company" if ref.company else "parent"
            company_id = found.get(text)
            if company_id is None:
                message = _("There is no company “%(value)s” that you can see: import the companies first.") % {
                    "value": text
                }
                self._fail(plan, [error(key, self._column(key, plan.sources), message)])
            elif ref.company:
                prepared.companies = [
                    {"company_id": company_id, "job_title": ref.job_title[:150], "department": "", "is_primary": True}
                ]
            else:
                prepared.fields["parent_id"] = company_id

    # --- stage 2: duplicate keys ------------------------------------------------------

    def _keys(self, plan: RowPlan) -> list[tuple[str, str]]:
        prepared = _prepared(plan)
        keys: list[tuple[str, str]] = []
        if prepared.fields.get("inn"):
            keys.append(("inn", prepared.fields["inn"]))
        keys.extend(("email", item["email"]) for item in prepared.emails or [])
        keys.extend(("phone", item["number"]) for item in prepared.phones or [])
        if self.match_names and plan.client is not None and plan.client.match_name:
            keys.append(("name", plan.client.match_name))
        return keys

    def _candidates(self, plans: list[RowPlan]) -> tuple[dict[tuple[str, str], list[int]], dict[int, Candidate]]:
        """Existing clients of the workspace (whoever owns them) sharing a key with a row:
        key → client ids (oldest first), and what the decisions need to know about them."""
        wanted: dict[str, set[str]] = {kind: set() for kind in KEY_ORDER}
        for plan in plans:
            for kind, value in plan.keys:
                wanted[kind].add(value)
        ws, kind = self.workspace_id, self.kind
        clients = Client.objects.filter(workspace_id=ws, kind=kind)
        found: list[tuple[str, str, int]] = []
        if wanted["inn"]:
            found += [("inn", v, pk) for pk, v in clients.filter(inn__any_of=wanted["inn"]).values_list("pk", "inn")]
        # Single-table lookups on the (workspace, value) indexes: no join whose plan could
        # go wrong while the import itself grows the tables faster than statistics follow.
        # Clients of the other kind are dropped below.
        if wanted["email"]:
            emails = ClientEmail.objects.filter(workspace_id=ws, email__any_of=wanted["email"])
            found += [("email", v, pk) for pk, v in emails.values_list("client_id", "email")]
        if wanted["phone"]:
            phones = ClientPhone.objects.filter(workspace_id=ws, number__any_of=wanted["phone"])
            found += [("phone", v, pk) for pk, v in phones.values_list("client_id", "number")]
        if wanted["name"]:
            names = clients.filter(match_name__any_of=wanted["name"]).values_list("pk", "match_name")
            found += [("name", v, pk) for pk, v in names]
        ids = {pk for _k, _v, pk in found}
        if not ids:
            return {}, {}
        facts = list(Client.objects.filter(pk__in=ids, kind=kind).values_list("pk", "name", "inn", "owner_id"))
        ids = {pk for pk, *_rest in facts}
        index: dict[tuple[str, str], list[int]] = {}
        for key_kind, value, pk in sorted(found, key=lambda item: item[2]):
            ids_of_key = index.setdefault((key_kind, value), [])
            if pk in ids and pk not in ids_of_key:
                ids_of_key.append(pk)
        visible = set(scope_queryset(self.actor, Client.objects.filter(pk__in=ids)).values_list("pk", flat=True))
        touched: dict[int, int] = {}
        results = ImportRowResult.objects.filter(batch_id=self.batch.pk, client_id__in=ids).order_by("row_number")
        for client_id, row in results.values_list("client_id", "row_number"):
            touched.setdefault(client_id, row)
        candidates = {
            pk: Candidate(pk, name, inn, owner_id, pk in visible, touched.get(pk)) for pk, name, inn, owner_id in facts
        }
        return index, candidates

    # --- stage 3: decisions -----------------------------------------------------------

    def plan(self, rows: list[Row]) -> list[RowPlan]:
        """Validate the rows and decide each one's fate; reads only, writes nothing."""
        plans = [self._validate(row) for row in rows]
        self._resolve_references(plans)
        for plan in plans:
            if plan.prepared is not None:
                plan.state = self._new_state(plan)
                plan.client = self._instance(plan.state)
                plan.keys = self._keys(plan)
        with exact_lookups():  # bulk equality lookups: btree, never the trigram indexes
            index, candidates = self._candidates(plans)
        in_chunk: dict[tuple[str, str], Pending] = {}
        existing: dict[int, Pending] = {}
        for plan in plans:
            if plan.prepared is not None:
                self._decide(plan, index, candidates, in_chunk, existing)
        return plans

    def _match(
        self,
        plan: RowPlan,
        index: dict[tuple[str, str], list[int]],
        candidates: dict[int, Candidate],
        in_chunk: dict[tuple[str, str], Pending],
    ) -> tuple[str, Pending | Candidate] | None:
        """The first key (in KEY_ORDER) that finds an earlier row of the chunk or an
        existing client. Two companies with one name but different INNs are different."""
        inn = plan.prepared.fields.get("inn", "") if plan.prepared else ""
        for key_kind in KEY_ORDER:
            for key in (k for k in plan.keys if k[0] == key_kind):
                pending = in_chunk.get(key)
                if pending is not None and not (key_kind == "name" and inn and pending.inn and pending.inn != inn):
                    return key_kind, pending
                for pk in index.get(key, []):
                    candidate = candidates[pk]
                    if key_kind == "name" and inn and candidate.inn and candidate.inn != inn:
                        continue
                    return key_kind, candidate
        return None

    def _decide(
        self,
        plan: RowPlan,
        index: dict[tuple[str, str], list[int]],
        candidates: dict[int, Candidate],
        in_chunk: dict[tuple[str, str], Pending],
        existing: dict[int, Pending],
    ) -> None:
        found = self._match(plan, index, candidates, in_chunk)
        if found is not None:
            key_kind, target = found
            what = str(KEY_LABELS[key_kind])
            if isinstance(target, Candidate) and not target.visible:
                # Never updated, never named: the import must not reveal a colleague's client.
                plan.action = RowAction.SKIPPED
                message = _(
                    "A client with this %(key)s already exists and belongs to a colleague; it was left unchanged."
                ) % {"key": what}
                plan.errors.append(error(key_kind, "", message))
                return
            earlier_row = target.rows[0].number if isinstance(target, Pending) else target.batch_row
            if self.policy == DuplicatePolicy.SKIP:
                plan.action = RowAction.SKIPPED
                if earlier_row is not None:
                    message = _("Same %(key)s as row %(row)d of this file.") % {"key": what, "row": earlier_row}
                else:
                    name = target.label if isinstance(target, Pending) else target.name
                    message = _("The client “%(name)s” with this %(key)s already exists.") % {"name": name, "key": what}
                plan.errors.append(error(key_kind, "", message))
                return
            if self.policy == DuplicatePolicy.UPDATE:
                self._update(plan, target, key_kind, existing, in_chunk)
                return
        problems = self._creation_errors(plan)
        if problems:
            self._fail(plan, problems)
            return
        plan.action = RowAction.CREATED
        prepared = _prepared(plan)
        plan.target = Pending(
            rows=[plan], label=prepared.fields.get("name", ""), inn=prepared.fields.get("inn", ""), new=True
        )
        if found is not None:
            plan.note = _("Created although a client with the same %(key)s exists.") % {"key": KEY_LABELS[found[0]]}
        for key in plan.keys:
            in_chunk.setdefault(key, plan.target)

    def _update(
        self,
        plan: RowPlan,
        target: Pending | Candidate,
        key_kind: str,
        existing: dict[int, Pending],
        in_chunk: dict[tuple[str, str], Pending],
    ) -> None:
        what = str(KEY_LABELS[key_kind])
        if isinstance(target, Candidate):
            problems = self._owner_errors(plan, current_owner=target.owner_id)
            if problems:
                self._fail(plan, problems)
                return
            pending = existing.get(target.pk)
            if pending is None:
                pending = Pending(
                    rows=[],
                    client_id=target.pk,
                    owner_row=target.batch_row,
                    label=target.name,
                    inn=target.inn,
                    owner_id=target.owner_id,
                )
                existing[target.pk] = pending
            if target.batch_row is not None:
                plan.note = _("The client of row %(row)d of this file, matched by %(key)s.") % {
                    "row": target.batch_row,
                    "key": what,
                }
            else:
                plan.note = _("“%(name)s”, matched by %(key)s.") % {"name": target.name, "key": what}
        else:
            pending = target
            problems = self._owner_errors(plan, current_owner=pending.owner_id)
            if problems:
                self._fail(plan, problems)
                return
            plan.note = _("The client of row %(row)d of this file, matched by %(key)s.") % {
                "row": pending.rows[0].number,
                "key": what,
            }
        plan.action = RowAction.UPDATED
        plan.target = pending
        pending.rows.append(plan)
        for key in plan.keys:
            in_chunk.setdefault(key, pending)

    # --- stage 4: writing ------------------------------------------------------------

    def _new_state(self, plan: RowPlan) -> ClientState:
        prepared = _prepared(plan)
        fields = dict(prepared.fields)
        if not fields.get("name") and fields.get("legal_name"):
            fields["name"] = fields["legal_name"]
        fields.setdefault("status_id", self.default_status_id)
        auto_owner = "owner_id" not in fields and self.auto_assign
        fields.setdefault("owner_id", self.default_owner_id)
        if self.default_source and not fields.get("source"):
            fields["source"] = self.default_source[:100]
        fields["custom"] = dict(prepared.custom or {})
        return ClientState(
            fields=fields,
            phones=[dict(p) for p in prepared.phones or []],
            emails=[dict(e) for e in prepared.emails or []],
            addresses=[dict(a) for a in prepared.addresses or []],
            tag_names=list(dict.fromkeys([*(prepared.tag_names or []), *self.default_tags])),
            companies=list(prepared.companies or []),
            auto_owner=auto_owner,
        )

    def _instance(self, state: ClientState) -> Client:
        values = list(self._blank_client)
        for name, value in state.fields.items():  # "custom" among them: never the shared default
            values[self._positions[name]] = value
        client = Client(*values)
        apply_derived(client, state.phones, state.emails, state.addresses)
        return client

    def _merge(self, state: ClientState, plan: RowPlan) -> None:
        """Apply a row to a client the way an update does: the row's values replace the
        client's; phones, e-mails, addresses, tags and employers are added to its own."""
        prepared = _prepared(plan)
        for name, value in prepared.fields.items():
            if value not in (None, ""):
                state.fields[name] = value
        if (
            self.kind == ClientKind.PERSON
            and not plan.explicit_name
            and any(k in prepared.fields for k in PERSON_NAME_PARTS)
        ):
            state.fields["name"] = person_name(state.fields) or state.fields.get("name", "")
        if prepared.custom:
            state.fields["custom"] = {**(state.fields.get("custom") or {}), **prepared.custom}
        _add_items(state.phones, prepared.phones or [], "number")
        _add_items(state.emails, prepared.emails or [], "email")
        for address in prepared.addresses or []:
            _merge_address(state.addresses, address)
        state.tag_names = list(dict.fromkeys([*state.tag_names, *(prepared.tag_names or []), *self.default_tags]))
        known = {c["company_id"] for c in state.companies}
        state.companies += [c for c in prepared.companies or [] if c["company_id"] not in known]

    def write(self, plans: list[RowPlan], *, start: int, end: int) -> ChunkOutcome | None:
        """Write a planned chunk (rows start+1..end); call inside a transaction.

        Returns None, writing nothing, when the batch is no longer at `start` (another
        worker wrote the chunk): the check and the writes happen under the batch row's lock.
        """
        locked = ImportBatch.objects.select_for_update().filter(pk=self.batch.pk).values("rows_done").first()
        if locked is None or locked["rows_done"] != start:
            return None
        pendings = list({id(p.target): p.target for p in plans if p.target is not None}.values())
        creates = [p for p in pendings if p.creates]
        updates = [p for p in pendings if not p.creates]
        tags = self._tags(pendings)
        before: dict[int, dict[str, Any]] = {}
        if updates:
            before = self._write_updates(updates, tags)
        if creates:
            self._write_creates(creates, tags)
        outcome = self._write_results(plans, before)
        ImportBatch.objects.filter(pk=self.batch.pk).update(
            rows_done=end,
            created_count=F("created_count") + outcome.created,
            updated_count=F("updated_count") + outcome.updated,
            skipped_count=F("skipped_count") + outcome.skipped,
            failed_count=F("failed_count") + outcome.failed,
            updated_at=timezone.now(),
        )
        return outcome

    def _tags(self, pendings: list[Pending]) -> dict[str, Tag]:
        names = {
            name
            for pending in pendings
            for plan in pending.rows
            if plan.prepared is not None
            for name in [*(plan.prepared.tag_names or []), *self.default_tags]
        }
        if not names:
            return {}
        return {tag.name.lower(): tag for tag in tags_get_or_create(self.workspace_id, sorted(names))}

    def _write_creates(self, creates: list[Pending], tags: dict[str, Tag]) -> None:
        ws = self.workspace_id
        states: list[ClientState] = []
        clients: list[Client] = []
        for pending in creates:
            first = pending.rows[0]
            state, client = first.state or self._new_state(first), first.client
            for plan in pending.rows[1:]:
                self._merge(state, plan)
            if client is None or len(pending.rows) > 1:
                client = self._instance(state)
            states.append(state)
            clients.append(client)
        bulk_insert(clients)
        phones: list[dict[str, Any]] = []
        emails: list[dict[str, Any]] = []
        addresses: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        employments: list[dict[str, Any]] = []
        for pending, state, client in zip(creates, states, clients, strict=True):
            pk = client.pk
            pending.client_id = pk
            phones += [{**p, "workspace_id": ws, "client_id": pk} for p in state.phones]
            emails += [{**e, "workspace_id": ws, "client_id": pk} for e in state.emails]
            addresses += [{**a, "workspace_id": ws, "client_id": pk} for a in state.addresses]
            tag_ids = list(dict.fromkeys(tags[n.lower()].pk for n in state.tag_names))
            links += [{"client_id": pk, "tag_id": t} for t in tag_ids]
            employments += [{**c, "workspace_id": ws, "person_id": pk} for c in state.companies]
        for model, rows in (
            (ClientPhone, phones),
            (ClientEmail, emails),
            (ClientAddress, addresses),
            (Client.tags.through, links),
            (Employment, employments),
        ):
            insert_rows(model, rows)
        self._assign([client for state, client in zip(states, clients, strict=True) if state.auto_owner])
        for pending, state, client in zip(creates, states, clients, strict=True):
            tag_ids = list(dict.fromkeys(tags[n.lower()].pk for n in state.tag_names))
            pending.fingerprint = fingerprint(client, state.phones, state.emails, state.addresses, tag_ids)

    def _assign(self, clients: list[Client]) -> None:
        """Owners from the assignment rules, for new clients saved with their phones, tags…
        (rules may test them): a few queries per rule, one UPDATE per chosen owner."""
        if not clients:
            return
        chosen: dict[int, list[int]] = {}
        by_id = {client.pk: client for client in clients}
        for client_id, owner_id in assignment_pick_owners(self.workspace_id, clients).items():
            if owner_id != by_id[client_id].owner_id:
                by_id[client_id].owner_id = owner_id
                chosen.setdefault(owner_id, []).append(client_id)
        for owner_id, ids in chosen.items():
            Client.objects.filter(pk__in=ids).update(owner_id=owner_id)

    def _write_updates(self, updates: list[Pending], tags: dict[str, Tag]) -> dict[int, dict[str, Any]]:
        """Update existing clients (locked while read and written). Returns the undo
        snapshot or back-reference of each row; rows that change nothing become skipped."""
        ws = self.workspace_id
        ids = [p.client_id for p in updates if p.client_id is not None]
        locked = {c.pk: c for c in Client.objects.select_for_update().filter(pk__in=ids)}
        children = _children_of(ids)
        tag_ids = _tag_ids_of(ids)
        employers = _employers_of(ids) if self.kind == ClientKind.PERSON else {}
        owner_rows = _owner_results(self.batch.pk, [p.owner_row for p in updates])
        changed: list[Client] = []
        changed_fields: set[str] = set()
        new_phones: list[ClientPhone] = []
        new_emails: list[ClientEmail] = []
        new_addresses: list[tuple[dict[str, Any], ClientAddress]] = []
        address_rows: list[ClientAddress] = []
        new_links: list[Any] = []
        new_employments: list[Employment] = []
        before: dict[int, dict[str, Any]] = {}
        events: list[Event] = []
        now = timezone.now()
        for pending in updates:
            client = locked.get(pending.client_id)  # type: ignore[arg-type]
            if client is None:
                for plan in pending.rows:
                    self._fail(plan, [error("", "", _("The client was deleted meanwhile."))])
                continue
            old = {name: getattr(client, name) for name in self._touched_fields(pending)}
            old["custom"] = dict(client.custom or {})
            kids = children.get(client.pk, {"phones": [], "emails": [], "addresses": []})
            state = ClientState(
                fields=dict(old),
                phones=[dict(p) for p in kids["phones"]],
                emails=[dict(e) for e in kids["emails"]],
                addresses=[dict(a) for a in kids["addresses"]],
                companies=[{"company_id": c} for c in employers.get(client.pk, set())],
            )
            for plan in pending.rows:
                self._merge(state, plan)
            if state.fields.get("parent_id") == client.pk:  # a company cannot be its own parent
                state.fields["parent_id"] = old.get("parent_id")
            fields_changed = {n for n, v in state.fields.items() if n in old and v != old[n]}
            added_phones = state.phones[len(kids["phones"]) :]
            added_emails = state.emails[len(kids["emails"]) :]
            added_addresses = [a for a in state.addresses if "id" not in a]
            originals = {a["id"]: a for a in kids["addresses"]}
            changed_addresses = [a for a in state.addresses if "id" in a and a != originals[a["id"]]]
            present = tag_ids.get(client.pk, set())
            added_tags = [t for t in dict.fromkeys(tags[n.lower()].pk for n in state.tag_names) if t not in present]
            added_employers = [c for c in state.companies if "job_title" in c]
            if not (
                fields_changed
                or added_phones
                or added_emails
                or added_addresses
                or changed_addresses
                or added_tags
                or added_employers
            ):
                for plan in pending.rows:
                    plan.action = RowAction.SKIPPED
                    plan.errors.append(error("", "", _("The client already has these values.")))
                continue
            for name in fields_changed:
                setattr(client, name, state.fields[name])
            apply_derived(client, state.phones, state.emails, state.addresses)
            client.version += 1
            client.updated_at = now
            changed.append(client)
            changed_fields |= fields_changed
            new_phones += [ClientPhone(workspace_id=ws, client_id=client.pk, **p) for p in added_phones]
            new_emails += [ClientEmail(workspace_id=ws, client_id=client.pk, **e) for e in added_emails]
            new_links += [Client.tags.through(client_id=client.pk, tag_id=t) for t in added_tags]
            new_employments += [Employment(workspace_id=ws, person_id=client.pk, **c) for c in added_employers]
            address_rows += [ClientAddress(pk=a["id"], **{k: a[k] for k in ADDRESS_FIELDS}) for a in changed_addresses]
            snapshot: dict[str, Any] = {
                "fingerprint": fingerprint(
                    client, state.phones, state.emails, state.addresses, sorted(present | set(added_tags))
                ),
                "fields": {n: json_value(old[n]) for n in sorted(fields_changed - {"custom"})},
                "phones": [p["number"] for p in added_phones],
                "emails": [e["email"] for e in added_emails],
                "addresses": [],
                "address_values": {
                    str(a["id"]): {k: originals[a["id"]][k] for k in ADDRESS_FIELDS} for a in changed_addresses
                },
                "tags": added_tags,
                "employers": [c["company_id"] for c in added_employers],
            }
            if "custom" in fields_changed:
                snapshot["custom"] = json_value(old["custom"])
            owner = owner_rows.get(pending.owner_row) if pending.owner_row is not None else None
            if owner is not None:
                snapshot = _extend_snapshot(owner, snapshot)
                for plan in pending.rows:
                    before[plan.number] = {"row": owner.row_number}
            else:
                first = pending.rows[0].number
                before[first] = snapshot
                for plan in pending.rows[1:]:
                    before[plan.number] = {"row": first}
            new_addresses += [
                (snapshot, ClientAddress(workspace_id=ws, client_id=client.pk, **{k: a[k] for k in a if k != "id"}))
                for a in added_addresses
            ]
            events.append(self._change_event(client, old, state, fields_changed, snapshot, tags))
        if changed:
            fields = sorted(changed_fields | set(DERIVED) | {"version", "updated_at"})
            Client.objects.bulk_update(changed, fields)
        if address_rows:
            ClientAddress.objects.bulk_update(address_rows, list(ADDRESS_FIELDS))
        for objects in (new_phones, new_emails, [a for _s, a in new_addresses], new_links, new_employments):
            bulk_insert(objects)
        for snapshot, address in new_addresses:  # their ids exist only now
            snapshot["addresses"].append(address.pk)
        if owner_rows:
            ImportRowResult.objects.bulk_update(list(owner_rows.values()), ["before"])
        if events:
            Event.objects.bulk_create(events)
        return before

    def _touched_fields(self, pending: Pending) -> set[str]:
        names = {"name"}
        for plan in pending.rows:
            if plan.prepared is not None:
                names |= set(plan.prepared.fields)
        if self.kind == ClientKind.PERSON:
            names |= set(PERSON_NAME_PARTS)
        return names

    def _change_event(
        self,
        client: Client,
        old: dict[str, Any],
        state: ClientState,
        fields_changed: set[str],
        snapshot: dict[str, Any],
        tags: dict[str, Tag],
    ) -> Event:
        """The client's "changed" event, as `client_update` writes it, marked with the import."""
        changes: dict[str, Any] = {
            name.removesuffix("_id"): [json_value(old[name]), json_value(state.fields[name])]
            for name in sorted(fields_changed)
        }
        names = {tag.pk: tag.name for tag in tags.values()}
        for part, added in (("phones", snapshot["phones"]), ("emails", snapshot["emails"])):
            if added:
                changes[part] = [None, added]
        if snapshot["tags"]:
            changes["tags"] = [None, [names.get(t, t) for t in snapshot["tags"]]]
        return Event(
            workspace_id=self.workspace_id,
            actor_id=self.actor.user_id,
            actor_label=self.actor.user.email,
            kind="client.changed",
            target_type=self.client_type,
            target_id=client.pk,
            target_repr=str(client)[:200],
            changes=json_value(changes),
            data={"import": self.batch.pk},
        )

    def _write_results(self, plans: list[RowPlan], before: dict[int, dict[str, Any]]) -> ChunkOutcome:
        outcome = ChunkOutcome()
        results = []
        ws, batch_id = self.workspace_id, self.batch.pk
        for plan in plans:
            action = plan.action or RowAction.FAILED
            target = plan.target
            client_id = target.client_id if target is not None and action in WRITTEN else None
            snapshot: dict[str, Any] = {}
            if action == RowAction.CREATED and target is not None:
                snapshot = {"fingerprint": target.fingerprint}
            elif action == RowAction.UPDATED and target is not None:
                snapshot = {"row": target.rows[0].number} if target.creates else before.get(plan.number, {})
            results.append(
                {
                    "workspace_id": ws,
                    "batch_id": batch_id,
                    "row_number": plan.number,
                    "action": str(action),
                    "client_id": client_id,
                    "before": snapshot,
                    "values": [] if action in WRITTEN else plan.cells,
                    "errors": plan.errors,
                }
            )
            setattr(outcome, action, getattr(outcome, action) + 1)
        insert_rows(ImportRowResult, results)
        return outcome


# --- helpers of the writer -------------------------------------------------------------


def bulk_insert(objects: list[Any]) -> None:
    """Insert new model instances of one model, setting their ids.

    On PostgreSQL the rows go in with COPY, ids drawn from the table's sequence first:
    the import's throughput is bound by inserts, and Django's bulk_create spends most of
    its time preparing and quoting parameters one by one. Elsewhere, bulk_create. Values
    are the instances' attributes as Django would save them (auto_now fields stamped,
    JSON as jsonb); there are no save() hooks or signals for these models to skip.
    """
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects)
        return
    from psycopg.types.json import Jsonb

    meta = model._meta
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        json_columns = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        names = [f.attname for f in fields]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"  # noqa: S608  (names from the model)
        with cursor.cursor.copy(statement) as copy:
            for obj in objects:
                for stamp in stamped:
                    stamp.pre_save(obj, add=True)
                copy.write_row([Jsonb(getattr(obj, n)) if n in json_columns else getattr(obj, n) for n in names])
        for obj in objects:
            obj._state.adding = False
            obj._state.db = connection.alias


def insert_rows(model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert rows given as {attname: value} (ids not needed back). Missing fields take
    their defaults. PostgreSQL: COPY, without building model instances; elsewhere
    bulk_create of instances."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return
    from psycopg.types.json import Jsonb

    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None
    json_columns = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    names = [f.attname for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"  # noqa: S608  (names from the model)
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            values = [row.get(n, defaults[n]) for n in names]
            copy.write_row([Jsonb(v) if n in json_columns else v for n, v in zip(names, values, strict=True)])


def _add_items(current: list[dict[str, Any]], new: list[dict[str, Any]], key: str) -> None:
    known = {item[key] for item in current}
    for item in new:
        if item[key] not in known:
            known.add(item[key])
            current.append({**item, "is_primary": not current})


LOCATION_PARTS = ("region", "city", "street", "postcode")


def _same_address(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(str(a.get(p, "")).casefold() == str(b.get(p, "")).casefold() for p in LOCATION_PARTS)


def _merge_address(addresses: list[dict[str, Any]], address: dict[str, Any]) -> None:
    """A row's address on an existing client: known already → nothing; it only adds parts
    the primary address lacks (a region to a city) → those parts are filled in; otherwise
    it becomes the new primary address and the old one stays as a secondary one."""
    if any(_same_address(address, other) for other in addresses):
        return
    primary = next((a for a in addresses if a.get("is_primary")), addresses[0] if addresses else None)
    if primary is not None and all(
        not address.get(p) or not primary.get(p) or str(address[p]).casefold() == str(primary[p]).casefold()
        for p in LOCATION_PARTS
    ):
        for part in LOCATION_PARTS:
            if address.get(part) and not primary.get(part):
                primary[part] = address[part]
        return
    for other in addresses:
        other["is_primary"] = False
    addresses.append({**address, "is_primary": True})


FINGERPRINT_FIELDS = [
    f.attname
    for f in Client._meta.concrete_fields
    if f.attname not in {"id", "workspace_id", "kind", "created_at", "updated_at", "version", *DERIVED}
]


def fingerprint(
    client: Client,
    phones: list[dict[str, Any]],
    emails: list[dict[str, Any]],
    addresses: list[dict[str, Any]],
    tag_ids: Iterable[int],
) -> str:
    """A digest of what a user sees of the client (fields, phones, e-mails, addresses,
    tags). Undo compares it with the one recorded by the import: a client someone changed
    since is kept, one changed and changed back (e.g. by undoing a later import) is not."""
    document = [
        [getattr(client, name) for name in FINGERPRINT_FIELDS],
        sorted(p["number"] for p in phones),
        sorted(e["email"] for e in emails),
        sorted(
            [str(a.get(p) or "") for p in ("country", *LOCATION_PARTS)] + [str(bool(a.get("is_primary")))]
            for a in addresses
        ),
        sorted(set(tag_ids)),
    ]
    # default=str: dates and decimals read back from the database give the same text.
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:20]


def _children_of(ids: list[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """Phones, e-mails and addresses of the clients, primary first (three queries)."""
    result: dict[int, dict[str, list[dict[str, Any]]]] = {}
    parts: list[tuple[str, Any, tuple[str, ...]]] = [
        ("phones", ClientPhone, ("number", "extension", "kind", "is_primary")),
        ("emails", ClientEmail, ("email", "kind", "is_primary")),
        ("addresses", ClientAddress, ("id", *ADDRESS_FIELDS)),
    ]
    for part, model, names in parts:
        rows = model.objects.filter(client_id__in=ids).order_by("-is_primary", "id").values("client_id", *names)
        for row in rows:
            client_id = row.pop("client_id")
            result.setdefault(client_id, {"phones": [], "emails": [], "addresses": []})[part].append(row)
    return result


def _tag_ids_of(ids: list[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    for client_id, tag_id in Client.tags.through.objects.filter(client_id__in=ids).values_list("client_id", "tag_id"):
        result.setdefault(client_id, set()).add(tag_id)
    return result


def _employers_of(ids: list[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    for person_id, company_id in Employment.objects.filter(person_id__in=ids).values_list("person_id", "company_id"):
        result.setdefault(person_id, set()).add(company_id)
    return result


def _owner_results(batch_id: int, rows: list[int | None]) -> dict[int, ImportRowResult]:
    wanted = [row for row in rows if row is not None]
    if not wanted:
        return {}
    return {r.row_number: r for r in ImportRowResult.objects.filter(batch_id=batch_id, row_number__in=wanted)}


def _extend_snapshot(owner: ImportRowResult, snapshot: dict[str, Any]) -> dict[str, Any]:
    """Fold a later update of a client into the snapshot of the row of this import that
    first touched it (values recorded first win: they are the values before the import).
    Returns the owner's (new) snapshot, which is also set on `owner`."""
    kept = dict(owner.before or {})
    kept["fingerprint"] = snapshot["fingerprint"]
    if owner.action == RowAction.CREATED:
        kept.setdefault("addresses", [])  # deleting the client undoes every later row
        owner.before = kept
        return kept
    fields = dict(kept.get("fields") or {})
    for name, value in snapshot["fields"].items():
        fields.setdefault(name, value)
    kept["fields"] = fields
    if "custom" in snapshot and "custom" not in kept:
        kept["custom"] = snapshot["custom"]
    for key in ("phones", "emails", "addresses", "tags", "employers"):
        kept[key] = [*(kept.get(key) or []), *snapshot.get(key, [])]
    kept["address_values"] = {**snapshot.get("address_values", {}), **(kept.get("address_values") or {})}
    owner.before = kept
    return kept


# --- Running and undoing ---------------------------------------------------------------


def chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_chunks(
    importer: Importer,
    rows: Iterator[Row],
    *,
    start: int,
    progress: Callable[[int], None],
    chunk_size: int | None = None,
) -> bool:
    """Plan and write the rows after `start`, one transaction per chunk. Returns False
    when it stopped because another worker had written a chunk meanwhile (that worker
    carries on), True when every row is written."""
    done = start
    with collected_per_chunk() as collect:
        for chunk in chunks(rows, chunk_size or CHUNK_SIZE):
            end = chunk[-1].number
            with transaction.atomic():
                plans = importer.plan(chunk)
                outcome = importer.write(plans, start=done, end=end)
            if outcome is None:
                return False
            done = end
            progress(done)
            del plans, chunk  # so that this chunk's cycles go now, not after the next one
            collect()
    return True


@dataclass
class UndoOutcome:
    removed: int = 0
    restored: int = 0
    kept: int = 0


def undo_import(actor: Membership, batch: ImportBatch, progress: Callable[[int, int], None]) -> UndoOutcome:
    """Delete what the import created and restore what it updated, newest rows first,
    one transaction per chunk. Idempotent: deleted clients leave their rows without a
    client, restored ones are marked, and kept ones get the reason on their row."""
    results = ImportRowResult.objects.filter(
        batch=batch, action__in=[RowAction.CREATED, RowAction.UPDATED], client__isnull=False
    )
    total = results.count()
    done = 0
    last: int | None = None
    while True:
        page = results.order_by("-row_number")
        if last is not None:
            page = page.filter(row_number__lt=last)
        chunk = list(page[:UNDO_CHUNK_SIZE])
        if not chunk:
            break
        last = chunk[-1].row_number
        with transaction.atomic():
            _undo_chunk(actor, batch, chunk)
        done += len(chunk)
        progress(done, total)
    outcome = UndoOutcome()
    for action, client_id, before, errors in ImportRowResult.objects.filter(
        batch=batch, action__in=[RowAction.CREATED, RowAction.UPDATED]
    ).values_list("action", "client_id", "before", "errors"):
        if (before or {}).get("row"):
            continue
        if any(e.get("undo") for e in errors or []):
            outcome.kept += 1
        elif action == RowAction.CREATED and client_id is None:
            outcome.removed += 1
        elif action == RowAction.UPDATED and (before or {}).get("restored"):
            outcome.restored += 1
    return outcome


def _undo_note(message: str) -> list[dict[str, Any]]:
    return [{"field": "", "column": "", "message": message, "undo": True}]


def _undo_chunk(actor: Membership, batch: ImportBatch, chunk: list[ImportRowResult]) -> None:
    """Undo the rows of one chunk: only rows that own their client's snapshot act."""
    owners = [r for r in chunk if not (r.before or {}).get("row") and not (r.before or {}).get("restored")]
    ids = [r.client_id for r in owners if r.client_id is not None]
    clients = {c.pk: c for c in Client.objects.select_for_update().filter(pk__in=ids)}
    children = _children_of(ids)
    tag_ids = _tag_ids_of(ids)
    visible = set(scope_queryset(actor, Client.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    # A client that absorbed another one in a merge now also stands for that record:
    # undoing the import must not delete or roll it back, whatever its values.
    survivors = set(ClientMergeLink.objects.filter(survivor_id__in=ids).values_list("survivor_id", flat=True))
    to_delete: list[int] = []
    noted: list[ImportRowResult] = []
    restored: list[ImportRowResult] = []
    events: list[Event] = []
    for result in owners:
        client = clients.get(result.client_id)  # type: ignore[arg-type]
        if client is None:
            continue  # deleted by someone already: nothing left to undo
        kids = children.get(client.pk, {"phones": [], "emails": [], "addresses": []})
        now = fingerprint(client, kids["phones"], kids["emails"], kids["addresses"], tag_ids.get(client.pk, set()))
        if client.pk not in visible:
            result.errors = _undo_note(_("Not undone: the client now belongs to a colleague outside your access."))
            noted.append(result)
        elif client.pk in survivors:
            result.errors = _undo_note(_("Not undone: another client was merged into this one after the import."))
            noted.append(result)
        elif now != (result.before or {}).get("fingerprint"):
            result.errors = _undo_note(_("Not undone: the client was changed after the import."))
            noted.append(result)
        elif result.action == RowAction.CREATED:
            to_delete.append(client.pk)
        else:
            events.append(_restore(actor, batch, result, client))
            restored.append(result)
    if to_delete:
        noted += _delete_clients(to_delete, {r.client_id: r for r in owners})
    if events:
        Event.objects.bulk_create(events)
    if noted or restored:
        ImportRowResult.objects.bulk_update([*noted, *restored], ["errors", "before"])


def _delete_clients(ids: list[int], results: dict[int | None, ImportRowResult]) -> list[ImportRowResult]:
    """Delete the clients; those other records still need (PROTECT) are kept and noted."""
    try:
        with transaction.atomic():
            Client.objects.filter(pk__in=ids).delete()
        return []
    except (ProtectedError, IntegrityError):
        pass
    kept = []
    for pk in ids:
        try:
            with transaction.atomic():
                Client.objects.filter(pk=pk).delete()
        except (ProtectedError, IntegrityError):
            result = results[pk]
            result.errors = _undo_note(_("Not undone: other records (deals, orders…) refer to the client."))
            kept.append(result)
    return kept


def _python_value(name: str, value: Any) -> Any:
    """A value of `before` (JSON) back as the model field's Python value."""
    if value is None:
        return None
    internal = Client._meta.get_field(name.removesuffix("_id")).get_internal_type()
    if internal == "DateField" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if internal == "DecimalField":
        return Decimal(str(value))
    return value


def _restore(actor: Membership, batch: ImportBatch, result: ImportRowResult, client: Client) -> Event:
    """Put back the values an update replaced and remove what it added; returns the
    client's "changed" event."""
    before = dict(result.before or {})
    changes: dict[str, Any] = {}
    for name, value in (before.get("fields") or {}).items():
        restored = _python_value(name, value)
        changes[name.removesuffix("_id")] = [json_value(getattr(client, name)), json_value(restored)]
        setattr(client, name, restored)
    if "custom" in before:
        changes["custom"] = [json_value(client.custom), before["custom"]]
        client.custom = before["custom"]
    pk = client.pk
    ClientPhone.objects.filter(client_id=pk, number__in=before.get("phones") or []).delete()
    ClientEmail.objects.filter(client_id=pk, email__in=before.get("emails") or []).delete()
    ClientAddress.objects.filter(client_id=pk, pk__in=before.get("addresses") or []).delete()
    for address_id, values in (before.get("address_values") or {}).items():
        ClientAddress.objects.filter(client_id=pk, pk=int(address_id)).update(**values)
    Client.tags.through.objects.filter(client_id=pk, tag_id__in=before.get("tags") or []).delete()
    Employment.objects.filter(person_id=pk, company_id__in=before.get("employers") or []).delete()
    for part in ("phones", "emails"):
        if before.get(part):
            changes[part] = [before[part], None]
    _fix_primary(pk)
    kids = _children_of([pk]).get(pk, {"phones": [], "emails": [], "addresses": []})
    apply_derived(client, kids["phones"], kids["emails"], kids["addresses"])
    fields = [*(before.get("fields") or {}), *(["custom"] if "custom" in before else []), *DERIVED]
    Client.objects.filter(pk=pk).update(
        **{name: getattr(client, name) for name in dict.fromkeys(fields)},
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    before["restored"] = True
    result.before = before
    return Event(
        workspace_id=actor.workspace_id,
        actor_id=actor.user_id,
        actor_label=actor.user.email,
        kind="client.changed",
        target_type=ContentType.objects.get_for_model(Client),
        target_id=pk,
        target_repr=client.name[:200],
        changes=json_value(changes),
        data={"import": batch.pk, "undo": True},
    )


def _fix_primary(client_id: int) -> None:
    """After removing added phones/e-mails/addresses, make sure one of each left is primary."""
    for model in (ClientPhone, ClientEmail, ClientAddress):
        rows = model.objects.filter(client_id=client_id)
        if rows.exists() and not rows.filter(is_primary=True).exists():
            first = rows.order_by("id").first()
            model.objects.filter(pk=first.pk).update(is_primary=True)  # type: ignore[union-attr]
