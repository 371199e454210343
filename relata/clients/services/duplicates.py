"""The duplicate finder: pairs of clients that look like one, with a score and the reasons.

Signals, each found without comparing every client with every other (n = clients):

- **Same INN** (and, for two companies that both have a KPP, the same KPP: branches of
  one legal entity share the INN but are different clients), **same phone** (E.164) and
  **same e-mail**: set-based SQL over the indexed columns — one query per signal returns
  the rows whose value is shared (GROUP BY … HAVING COUNT(*) > 1 inside an IN).
- **Near-identical names**: names are compared by a key made from `Client.match_name`
  (already lower-case, without quotes and legal forms): transliterated to Latin (so that
  "Кирпичный двор" and "Kirpichnyi Dvor" meet), tokens sorted (word order does not
  matter). Identical keys group at once; near-identical ones are found by *multi-pass
  sorted neighbourhood* blocking (Hernández & Stolfo's merge/purge): the distinct keys
  are sorted, each is compared with its next `WINDOW` neighbours with rapidfuzz, and
  this is repeated on the keys sorted from their end (a difference in the first letters)
  and, for companies, on words without their Russian adjective endings ("Kirpich Dvor"
  vs "Кирпичный двор"). Names whose numbers differ ("Магазин 5", "Магазин 6") never
  match. That is O(n log n) time and O(n) memory: the names of a million clients are
  compared in under a minute (bench/client_duplicates.py), not hours. Its known limit:
  two keys that differ both at the start and at the end *and* have more than `WINDOW`
  other keys between them in every order are not
  compared. PostgreSQL's trigram index is not used here: a trigram self-join probes the
  index once per client (measured: ~45 ms a probe at a million clients, five hours in
  all), far slower than the sort; it serves the search box instead.

A value shared by more than `MAX_GROUP` clients (a call centre's phone), or a name borne
by more than `NAME_MAX_GROUP` ("ООО «Альянс»", "Иванов Иван Иванович": namesakes), says
nothing about any two of them and would flood the list: such groups are skipped and
counted in the scan's result.

Scores combine the signals as independent evidence: `100 × (1 − Π(1 − wᵢ))` with the
weights below, so one strong signal gives its weight and every further one raises it.

The scan is a job (`clients.find_duplicates`) over the actor's scope: a manager finds
duplicates among the clients they see, an administrator over the whole base. It rewrites
the open pairs of that scope (a pair no longer found is removed), keeps dismissed pairs
dismissed, and is idempotent, so a killed worker simply runs it again.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations, groupby, islice
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz.fuzz import ratio

from relata.clients.models import Client, ClientEmail, ClientKind, ClientPhone, DuplicatePair
from relata.clients.models.duplicates import DuplicateStatus
from relata.clients.normalize import matching_name
from relata.core.access import get_visible, owner_filter, require, scope_queryset
from relata.core.audit import record_event, register_event_kinds
from relata.core.errors import invalid
from relata.core.jobs import JobContext, job_handler
from relata.core.models import Job, JobState, Membership

register_event_kinds(
    {
        "duplicate.dismissed": gettext_lazy("Possible duplicate dismissed"),
        "duplicate.reopened": gettext_lazy("Possible duplicate reopened"),
    }
)

JOB_KIND = "clients.find_duplicates"
MAX_GROUP = 25  # clients sharing one phone, e-mail or INN; more says nothing about any two of them
NAME_MAX_GROUP = 5  # clients bearing one name; more are namesakes ("ООО «Альянс»", "Иванов Иван")
WINDOW = 8  # neighbours each name key is compared with, per pass
NAME_THRESHOLD = 90  # 0–100 similarity of two name keys to call them near-identical
# Russian adjective endings as the keys spell them ("кирпичный" → "kirpichnii" →
# "kirpichn"), longest first; cut only when at least four letters remain.
ENDINGS = ("iaia", "aia", "ogo", "ego", "ii", "oi", "oe", "ee", "ie", "ih")
STEM_PENALTY = 5  # same stems are a little weaker evidence than the same spelling
WRITE_BATCH = 2000
UPDATED = ["score", "reasons", "updated_at"]

REASON_WEIGHTS = {"same_inn": 0.95, "same_email": 0.80, "same_phone": 0.70}
NAME_WEIGHTS = {ClientKind.COMPANY.value: 0.80, ClientKind.PERSON.value: 0.60}  # namesakes are common people

INN, PHONE, EMAIL = 1, 2, 4
PERSON_BIT = 1 << 10
FLAG_REASONS = ((INN, "same_inn"), (PHONE, "same_phone"), (EMAIL, "same_email"))


# --- Name keys and their similarity -----------------------------------------------------

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "iu", "я": "ia", "і": "i", "ї": "i", "є": "ie", "ґ": "g", "ў": "u", "ј": "i", "љ": "lj",
    "њ": "nj", "ћ": "c", "џ": "dz", "ђ": "dj",
}  # fmt: skip
_TRANSLIT = str.maketrans(_CYRILLIC)
# Latin spellings of the same sounds, folded so that a Latin name meets its Cyrillic form
# ("Yandex" / "Яндекс" → "iandeks"; "Stroylogistik" / "Стройлогистик" → "stroilogistik").
_LATIN_FOLDS = (("ck", "k"), ("x", "ks"), ("w", "v"), ("q", "k"), ("ph", "f"), ("yu", "iu"), ("ya", "ia"))
_LATIN_RE = re.compile(r"yo|ye|y|j|kh|c(?!h)")
_LATIN_SUBS = {"yo": "e", "ye": "e", "y": "i", "j": "i", "kh": "h", "c": "k"}
_NUMBER_RE = re.compile(r"\d+")


def name_key(match_name: str) -> str:
    """The comparison key of a `Client.match_name`: Latin letters, words sorted."""
    text = match_name.translate(_TRANSLIT)
    for old, new in _LATIN_FOLDS:
        if old in text:
            text = text.replace(old, new)
    text = _LATIN_RE.sub(lambda m: _LATIN_SUBS[m.group()], text)
    return " ".join(sorted(text.split()))


def _stem(word: str) -> str:
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _stem_key(key: str) -> str:
    return " ".join(sorted(_stem(word) for word in key.split()))


def _numbers(key: str) -> list[str]:
    return sorted(_NUMBER_RE.findall(key))


def key_similarity(a: str, b: str, *, company: bool) -> int:
    """0–100: how alike two name keys are. Names whose numbers differ ("Магазин 5",
    "Магазин 6") are different clients whatever their letters say: 0."""
    if not a or not b:
        return 0
    if a == b:
        return 100
    if _numbers(a) != _numbers(b):
        return 0
    score = ratio(a, b)
    if company:
        score = max(score, ratio(_stem_key(a), _stem_key(b)) - STEM_PENALTY)
    return int(score)


def name_similarity(a: str, b: str, *, kind: str = ClientKind.COMPANY) -> int:
    """0–100: how alike two client names are, as the finder judges them (≥ NAME_THRESHOLD
    is "near-identical"). For other features that want the finder's judgement (import)."""
    return key_similarity(name_key(matching_name(a)), name_key(matching_name(b)), company=kind == ClientKind.COMPANY)


# --- Scores and reasons -----------------------------------------------------------------


def pair_reasons(flags: int, name_score: int) -> list[str]:
    reasons = [reason for flag, reason in FLAG_REASONS if flags & flag]
    if name_score:
        reasons.append(f"similar_name:{name_score}")
    return reasons


def pair_score(reasons: list[str], kind: str) -> int:
    """Independent evidence combined: 100 × (1 − Π(1 − weight))."""
    doubt = 1.0
    for reason in reasons:
        if reason.startswith("similar_name:"):
            doubt *= 1 - NAME_WEIGHTS.get(kind, 0.6) * int(reason.split(":", 1)[1]) / 100
        else:
            doubt *= 1 - REASON_WEIGHTS.get(reason, 0)
    return max(1, min(100, round(100 * (1 - doubt))))


REASON_LABELS = {
    "same_inn": gettext_lazy("Same INN"),
    "same_phone": gettext_lazy("Same phone"),
    "same_email": gettext_lazy("Same e-mail"),
}


def reason_labels(reasons: Iterable[str]) -> list[str]:
    """The reasons in words ("similar_name:93" → "Similar names (93%)")."""
    labels = []
    for reason in reasons:
        if reason.startswith("similar_name:"):
            labels.append(_("Similar names (%(score)s%%)") % {"score": reason.split(":", 1)[1]})
        else:
            labels.append(str(REASON_LABELS.get(reason, reason)))
    return labels


# --- Finding ----------------------------------------------------------------------------


@dataclass
class Findings:
    """Pairs found so far: (a, b) with a < b → the signals packed in one int (a million
    pairs fit in a fraction of the memory lists would take): the INN/phone/e-mail flags
    in bits 0–2, the name score in bits 3–9, bit 10 set for people."""

    pairs: dict[tuple[int, int], int] = field(default_factory=dict)
    skipped_groups: int = 0
    clients: int = 0

    def add(self, ids: list[int], kind: str, *, flag: int = 0, name_score: int = 0, limit: int = 0) -> None:
        """Every two of `ids` (one group sharing a value) are a candidate pair, unless the
        group is larger than `limit` (MAX_GROUP by default)."""
        ids = sorted(set(ids))
        if len(ids) < 2:
            return
        if len(ids) > (limit or MAX_GROUP):
            self.skipped_groups += 1
            return
        for pair in combinations(ids, 2):
            self.add_pair(pair, kind, flag=flag, name_score=name_score)

    def add_pair(self, pair: tuple[int, int], kind: str, *, flag: int = 0, name_score: int = 0) -> None:
        packed = self.pairs.get(pair)
        if packed is None:
            self.pairs[pair] = flag | name_score << 3 | (PERSON_BIT if kind == ClientKind.PERSON else 0)
        else:
            best = max((packed >> 3) & 0x7F, name_score)
            self.pairs[pair] = (packed & ~(0x7F << 3)) | flag | best << 3

    @staticmethod
    def unpack(packed: int) -> tuple[int, int, str]:
        """(flags, name score, kind) of a packed pair."""
        kind = ClientKind.PERSON.value if packed & PERSON_BIT else ClientKind.COMPANY.value
        return packed & 0b111, (packed >> 3) & 0x7F, kind


def _drop_names_with_other_inns(actor: Membership, found: Findings) -> None:
    """Alike names with different INNs are two legal entities ("ГарантИнвест" and
    "ГранитИнвест"), not one entered twice: drop pairs whose only signal is the name."""
    name_only = [pair for pair, packed in found.pairs.items() if not packed & 0b111]
    ids = {pk for pair in name_only for pk in pair}
    inns: dict[int, str] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), 10_000):
        chunk = id_list[start : start + 10_000]
        inns.update(
            _visible_clients(actor, None).filter(pk__in=chunk).exclude(inn="").values_list("pk", "inn").order_by()
        )
    for a, b in name_only:
        if a in inns and b in inns and inns[a] != inns[b]:
            del found.pairs[(a, b)]


Progress = Callable[..., None]
"""`progress(message)` marks a new stage; `progress()` only says the scan is alive (a
heartbeat every few thousand comparisons, so a long stage is not taken for a dead
worker, and a cancellation is noticed)."""


def _visible_clients(actor: Membership, kind: str | None) -> QuerySet[Client]:
    queryset = scope_queryset(actor, Client.objects.all())
    return queryset.filter(kind=kind) if kind else queryset


def _shared_values(queryset: QuerySet[Any], value: str, kind_path: str, *extra: str) -> Iterator[tuple[Any, ...]]:
    """(value, kind, client id, *extra) of the rows whose value another row shares, by
    (value, kind). One query: the values counted twice or more (a hash aggregate over the
    indexed column), and the rows bearing them; the kinds are told apart here."""
    filled = queryset.exclude(**{value: ""}).order_by()
    shared = filled.values(value).annotate(bearers=Count("pk")).filter(bearers__gt=1).values(value)
    rows = filled.filter(**{f"{value}__in": shared}).values_list(
        value, kind_path, "client_id" if kind_path != "kind" else "pk", *extra
    )
    return iter(sorted(rows.iterator(chunk_size=5000), key=itemgetter(0, 1)))


def _find_inn(actor: Membership, kind: str | None, found: Findings) -> None:
    rows = _shared_values(_visible_clients(actor, kind), "inn", "kind", "kpp")
    for (_inn, client_kind), group in groupby(rows, key=itemgetter(0, 1)):
        members = [(pk, kpp) for _v, _k, pk, kpp in group]
        if len(members) > MAX_GROUP:
            found.skipped_groups += 1
            continue
        for (a, kpp_a), (b, kpp_b) in combinations(sorted(members), 2):
            # Branches of one legal entity: same INN, their own KPP each.
            if client_kind == ClientKind.COMPANY and kpp_a and kpp_b and kpp_a != kpp_b:
                continue
            found.add_pair((a, b), client_kind, flag=INN)


def _find_contacts(actor: Membership, kind: str | None, found: Findings) -> None:
    for model, value, flag in ((ClientPhone, "number", PHONE), (ClientEmail, "email", EMAIL)):
        queryset = scope_queryset(actor, model.objects.all())
        if kind:
            queryset = queryset.filter(client__kind=kind)
        rows = _shared_values(queryset, value, "client__kind")
        for (_value, client_kind), group in groupby(rows, key=itemgetter(0, 1)):
            found.add([pk for _v, _k, pk in group], client_kind, flag=flag)


def _neighbourhood(order: list[int], strings: list[str], cutoff: float, alive: Progress) -> Iterator[tuple[int, int]]:
    """Positions (i, j) of `strings` that are within WINDOW of each other in `order` and
    at least `cutoff` alike."""
    size = len(order)
    for position in range(size - 1):
        if not position % 50_000:
            alive()
        i = order[position]
        text = strings[i]
        for j in order[position + 1 : position + 1 + WINDOW]:
            if ratio(text, strings[j], score_cutoff=cutoff):
                yield i, j


def _find_names(actor: Membership, kind: str, found: Findings, progress: Progress) -> None:
    company = kind == ClientKind.COMPANY
    names = _visible_clients(actor, kind).exclude(match_name="").values_list("match_name", "pk").order_by()
    rows = [(name_key(name), pk) for name, pk in names.iterator(chunk_size=10_000)]
    found.clients += len(rows)
    rows.sort()
    keys: list[str] = []
    groups: list[list[int]] = []
    for key, group in groupby(rows, key=itemgetter(0)):
        ids = [pk for _key, pk in group]
        keys.append(key)
        groups.append(ids)
        if len(ids) > 1:
            found.add(ids, kind, name_score=100, limit=NAME_MAX_GROUP)
    del rows
    progress(_("Comparing %(count)s distinct names…") % {"count": len(keys)})
    passes: list[tuple[list[int], list[str], float]] = [
        (list(range(len(keys))), keys, NAME_THRESHOLD),
        (sorted(range(len(keys)), key=lambda i: keys[i][::-1]), keys, NAME_THRESHOLD),
    ]
    if company:
        stems = [_stem_key(key) for key in keys]
        passes.append((sorted(range(len(keys)), key=stems.__getitem__), stems, NAME_THRESHOLD + STEM_PENALTY))
    for order, strings, cutoff in passes:
        for i, j in _neighbourhood(order, strings, cutoff, progress):
            score = key_similarity(keys[i], keys[j], company=company)
            if score < NAME_THRESHOLD:
                continue
            left, right = groups[i], groups[j]
            if len(left) > NAME_MAX_GROUP or len(right) > NAME_MAX_GROUP:
                continue  # a name too common to mean anything (counted when grouped)
            for a in left:
                for b in right:
                    found.add_pair((a, b) if a < b else (b, a), kind, name_score=score)


# --- Writing the pairs ------------------------------------------------------------------


def _pairs_in_scope(actor: Membership, kind: str | None) -> QuerySet[DuplicatePair]:
    """The stored pairs a scan by `actor` owns: both clients within the actor's scope
    (a pair with a client the actor cannot see is left to whoever can)."""
    queryset = scope_queryset(actor, DuplicatePair.objects.all()).filter(**owner_filter(actor, "client_b__owner"))
    return queryset.filter(client_a__kind=kind) if kind else queryset


def _upsert_batches(workspace_id: int, rows: Iterator[tuple[int, int, int, list[str]]], alive: Progress) -> int:
    """Insert or refresh pairs in batches. Dismissed pairs keep their status: only the
    score and the reasons are refreshed; an upsert, so that a pair another scan wrote
    meanwhile is not a conflict."""
    written = 0
    while batch := list(islice(rows, WRITE_BATCH)):
        alive()
        DuplicatePair.objects.bulk_create(
            [
                DuplicatePair(workspace_id=workspace_id, client_a_id=a, client_b_id=b, score=score, reasons=reasons)
                for a, b, score, reasons in batch
            ],
            update_conflicts=True,
            unique_fields=["client_a", "client_b"],
            update_fields=UPDATED,
        )
        written += len(batch)
    return written


def _upsert_copy(workspace_id: int, rows: Iterator[tuple[int, int, int, list[str]]], alive: Progress) -> int:
    """The same on PostgreSQL, four to five times faster for a million pairs: COPY into a
    temporary table, then one INSERT … ON CONFLICT. Inside the caller's transaction."""
    table = DuplicatePair._meta.db_table
    now = timezone.now()
    written = 0
    alive()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.duplicates_found")
        cursor.execute(
            "CREATE TEMPORARY TABLE duplicates_found "
            "(client_a_id bigint, client_b_id bigint, score smallint, reasons jsonb) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY duplicates_found FROM STDIN") as copy:
            for a, b, score, reasons in rows:
                copy.write_row((a, b, score, json.dumps(reasons)))
                written += 1
        alive()
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608  (the model's own table name, no user input)
            "(workspace_id, created_at, updated_at, client_a_id, client_b_id, score, reasons, status) "
            "SELECT %s, %s, %s, client_a_id, client_b_id, score, reasons, %s FROM duplicates_found "
            "ON CONFLICT (client_a_id, client_b_id) DO UPDATE "
            "SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, updated_at = EXCLUDED.updated_at",
            [workspace_id, now, now, DuplicateStatus.OPEN.value],
        )
    return written


@transaction.atomic
def _write(actor: Membership, kind: str | None, found: Findings, alive: Progress) -> dict[str, int]:
    """Store the pairs found in the actor's scope: one transaction, so a scan cut short
    leaves the previous list whole (the comparing before it holds no transaction). Only
    new and changed pairs are written, in batches (a rescan writes what it learnt)."""
    existing: dict[tuple[int, int], tuple[int, str, str]] = {}
    stored = _pairs_in_scope(actor, kind).values_list("pk", "client_a_id", "client_b_id", "status", "score", "reasons")
    for pk, a, b, status, score, reasons in stored.iterator(chunk_size=10_000):
        existing[(a, b)] = (pk, status, f"{score}|{'|'.join(reasons)}")

    def changed() -> Iterator[tuple[int, int, int, list[str]]]:
        for (a, b), packed in found.pairs.items():
            flags, name_score, client_kind = Findings.unpack(packed)
            reasons = pair_reasons(flags, name_score)
            score = pair_score(reasons, client_kind)
            known = existing.get((a, b))
            if known is None or known[2] != f"{score}|{'|'.join(reasons)}":
                yield a, b, score, reasons

    upsert = _upsert_copy if connection.vendor == "postgresql" else _upsert_batches
    written = upsert(actor.workspace_id, changed(), alive)
    gone = [
        pk for pair, (pk, status, _s) in existing.items() if status == DuplicateStatus.OPEN and pair not in found.pairs
    ]
    for start in range(0, len(gone), WRITE_BATCH):
        DuplicatePair.objects.filter(pk__in=gone[start : start + WRITE_BATCH]).delete()
    return {
        "pairs": len(found.pairs),
        "written": written,
        "new": sum(1 for pair in found.pairs if pair not in existing),
        "removed": len(gone),
        "dismissed": sum(
            1 for pair, (_pk, status, _s) in existing.items() if status != DuplicateStatus.OPEN and pair in found.pairs
        ),
    }


KIND_STAGES = {
    ClientKind.COMPANY.value: gettext_lazy("Comparing the names of companies…"),
    ClientKind.PERSON.value: gettext_lazy("Comparing the names of people…"),
}


def duplicates_find(actor: Membership, *, kind: str | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Scan the clients `actor` may see (of `kind`, or both) and store the pairs found.

    Idempotent: running it twice leaves what running it once does. The comparing holds no
    transaction; the writing of its result is one. Returns the figures the job page shows."""
    require(actor, "clients", "change")
    if kind is not None and kind not in ClientKind.values:
        raise invalid("kind", _("Choose companies or people."))
    report: Progress = progress or (lambda message="": None)
    started = time.monotonic()
    found = Findings()
    report(_("Looking for the same INN, phones and e-mails…"))
    _find_inn(actor, kind, found)
    _find_contacts(actor, kind, found)
    for client_kind in [kind] if kind else ClientKind.values:
        report(KIND_STAGES[client_kind])
        _find_names(actor, client_kind, found, report)
    _drop_names_with_other_inns(actor, found)
    report(_("Saving %(count)s pairs…") % {"count": len(found.pairs)})
    written = _write(actor, kind, found, report)
    by_reason: dict[str, int] = {}
    for packed in found.pairs.values():
        flags, name_score, _kind = Findings.unpack(packed)
        for reason in pair_reasons(flags, name_score):
            key = reason.split(":", 1)[0]
            by_reason[key] = by_reason.get(key, 0) + 1
    return {
        "clients": found.clients,
        **written,
        "by_reason": by_reason,
        "skipped_groups": found.skipped_groups,
        "seconds": round(time.monotonic() - started, 1),
    }


STAGES = 6  # progress steps of a scan of both kinds


@job_handler(JOB_KIND, gettext_lazy("Search for duplicate clients"))
def find_duplicates_job(actor: Membership, context: JobContext) -> dict[str, Any]:
    step = [0]

    def report(message: str = "") -> None:
        if not message:
            context.progress(step[0], STAGES)  # a heartbeat (written at most twice a second)
            return
        step[0] = min(step[0] + 1, STAGES - 1)
        context.progress(step[0], STAGES, message, force=True)

    return duplicates_find(actor, kind=context.params.get("kind") or None, progress=report)


def duplicates_scan_start(actor: Membership, *, kind: str | None = None) -> Job:
    """Start a scan as a job; a scan of the actor's still waiting or running is returned
    instead of starting a second one."""
    from relata.core.services.jobs import job_start

    require(actor, "clients", "change")
    if kind is not None and kind not in ClientKind.values:
        raise invalid("kind", _("Choose companies or people."))
    running = (
        Job.objects.filter(
            workspace_id=actor.workspace_id,
            created_by_id=actor.user_id,
            kind=JOB_KIND,
            state__in=[JobState.PENDING, JobState.RUNNING],
        )
        .order_by("-pk")
        .first()
    )
    if running is not None:
        return running
    return job_start(actor, kind=JOB_KIND, params={"kind": kind or ""}, total=STAGES)


# --- Reviewing pairs --------------------------------------------------------------------


def _set_status(actor: Membership, pair_id: int, status: str, event: str) -> DuplicatePair:
    from relata.clients.selectors.duplicates import duplicate_pairs_visible_to

    require(actor, "clients", "change")
    pair = get_visible(actor, duplicate_pairs_visible_to(actor), pair_id, for_write=True)
    if pair.status != status:
        before = pair.status
        pair.status = status
        pair.save(update_fields=["status", "updated_at"])
        record_event(
            kind=event,
            workspace=actor.workspace,
            actor=actor.user,
            target=pair,
            changes={"status": [before, status]},
            data={"clients": [pair.client_a_id, pair.client_b_id], "names": [pair.client_a.name, pair.client_b.name]},
        )
    return pair


@transaction.atomic
def duplicate_dismiss(actor: Membership, pair_id: int) -> DuplicatePair:
    """Mark a pair "not duplicates": later scans keep it so (idempotent)."""
    return _set_status(actor, pair_id, DuplicateStatus.DISMISSED, "duplicate.dismissed")


@transaction.atomic
def duplicate_reopen(actor: Membership, pair_id: int) -> DuplicatePair:
    """Put a dismissed pair back on the list to review (idempotent)."""
    return _set_status(actor, pair_id, DuplicateStatus.OPEN, "duplicate.reopened")
