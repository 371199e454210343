"""Finding clients by a fragment of a name, phone (typed any way), e-mail or tax id,
tolerant of typos.

PostgreSQL: `search_text` (lower-cased names, phone digits, e-mails, tax ids) has a
trigram GIN index that answers `LIKE '%fragment%'`; a misspelt name is found with the word
similarity operator (%>) on `match_name` (the name's matching key, which has a trigram
GIN index too): typos are made in names, and a short key is cheap to compare, where the
whole search document made every typo search score thousands of long texts.
SQLite: the same LIKE scans the rows, and typos are scored by rapidfuzz in a function
registered on the connection — the honest equivalent for the small bases SQLite serves.

The search box (`search_clients`) looks for exact fragments first and ranks at most
CANDIDATES of them; it looks for near-spellings only when no client contains the text.
At a million clients that keeps its answers within tens of milliseconds
(bench/client_search.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.db.models import F, FloatField, Func, Q, QuerySet, Value
from rapidfuzz import fuzz

from relata.clients.models import Client
from relata.clients.normalize import matching_name, phone_digits
from relata.core.db import ensure_sqlite_functions, register_sqlite_function
from relata.core.models import Membership

TYPO_THRESHOLD = 0.6  # pg_trgm's default word_similarity_threshold
MIN_DIGITS = 3
MIN_TYPO_LENGTH = 4
# Exact matches ranked per search: a fragment found in more clients than this is too
# common to rank them all while the user types (they type on); below it nothing changes.
CANDIDATES = 500
# What comes before a word in a search document (pg_trgm reads the separators in this
# form, so that a word-start match still uses the index; a negated class would not).
WORD_START = '(^|[ «"@.-])'


def _terms(text: str) -> tuple[str, list[str]]:
    """The lower-cased text, and the digit strings a phone fragment may be stored as."""
    lowered = " ".join(text.lower().replace("ё", "е").split())
    digits = phone_digits(text)
    variants: list[str] = []
    if len(digits) >= MIN_DIGITS and sum(ch.isdigit() for ch in text) >= len(text.replace(" ", "")) // 2:
        variants.append(digits)
        # "8 916…" typed for a stored "7916…": also try without the trunk digit.
        if digits[0] in "78" and len(digits) > MIN_DIGITS:
            variants.append(digits[1:])
    return lowered, variants


class WordSimilarity(Func):
    """rapidfuzz's partial ratio (0–1) of the query against the document (SQLite)."""

    function = "relata_word_similarity"
    output_field = FloatField()


def _word_similarity(document: str | None, query: str | None) -> float:
    if not document or not query:
        return 0.0
    return fuzz.partial_ratio(query, document) / 100.0


register_sqlite_function("relata_word_similarity", 2, _word_similarity)


class Similarity(Func):
    """rapidfuzz's ratio (0–1) of two whole texts (SQLite's counterpart of pg_trgm's similarity)."""

    function = "relata_similarity"
    output_field = FloatField()


def _similarity_ratio(document: str | None, query: str | None) -> float:
    if not document or not query:
        return 0.0
    return fuzz.ratio(query, document) / 100.0


register_sqlite_function("relata_similarity", 2, _similarity_ratio)


def _fragments(lowered: str, digit_variants: list[str]) -> list[str]:
    """What LIKE looks for: the text, and the digits a phone fragment is stored as. A text
    without letters that has digit variants is a phone or tax id typed with separators
    ("916 123-45"): the stored digits never contain it as typed."""
    if digit_variants and not any(ch.isalpha() for ch in lowered):
        return list(dict.fromkeys(digit_variants))
    return list(dict.fromkeys([lowered, *digit_variants]))


def _exact_q(lowered: str, digit_variants: list[str]) -> Q:
    condition = Q()
    for fragment in _fragments(lowered, digit_variants):
        if len(fragment) < 3 and fragment.isalnum():
            # Two characters are too few for the trigram index (a scan of every client):
            # they match where a word starts, which the index answers from its padded
            # trigrams, and which is what someone who has typed two letters means.
            condition |= Q(search_text__regex=WORD_START + fragment)
        else:
            condition |= Q(search_text__contains=fragment)
    return condition


def _typo_key(text: str) -> str:
    """The text as names are keyed for near-spellings ("" when too short or no word)."""
    key = matching_name(text)
    return key if len(key) >= MIN_TYPO_LENGTH and any(ch.isalpha() for ch in key) else ""


def _typo_condition(queryset: QuerySet[Client], key: str) -> tuple[QuerySet[Client], Q]:
    """Clients whose name is a near-spelling of `key` (see `_typo_key`)."""
    if connection.vendor == "postgresql":
        return queryset, Q(match_name__trigram_word_similar=key)
    ensure_sqlite_functions()
    return queryset.annotate(_similarity=WordSimilarity(F("match_name"), Value(key))), Q(_similarity__gte=0.8)


def _similarity(field: str, query: str) -> Func:
    """How well `query` matches a part of `field` (0–1): the rank of an exact fragment."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        return TrigramWordSimilarity(Value(query), field)  # type: ignore[arg-type,no-any-return]
    ensure_sqlite_functions()
    return WordSimilarity(F(field), Value(query))


def _likeness(field: str, query: str) -> Func:
    """How alike `query` and the whole of `field` are (0–1): the rank of a near-spelling.
    Word similarity finds them, but ranks "Абрамова Валентина" above "Симонова Валентина"
    for "Симноова Валентина"; the similarity of the whole names puts the right one first."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return TrigramSimilarity(field, Value(query))  # type: ignore[arg-type,no-any-return]
    ensure_sqlite_functions()
    return Similarity(F(field), Value(query))


def search_filter(queryset: QuerySet[Client], text: str) -> QuerySet[Client]:
    """`queryset` narrowed to clients matching `text` (fragment or near-spelling of a name)."""
    lowered, digit_variants = _terms(text)
    if not lowered:
        return queryset
    condition = _exact_q(lowered, digit_variants)
    key = _typo_key(text)
    if key:
        queryset, typo = _typo_condition(queryset, key)
        condition |= typo
    return queryset.filter(condition)


def search_ranked(queryset: QuerySet[Client], text: str) -> QuerySet[Client]:
    """All matches, ranked by how well the text matches the client's search document,
    then by name."""
    lowered, _digits = _terms(text)
    matches = search_filter(queryset, text)
    if len(lowered) >= MIN_TYPO_LENGTH:
        return matches.annotate(rank=_similarity("search_text", lowered)).order_by("-rank", "name")
    return matches.order_by("name")


def _best(
    visible: QuerySet[Client], matches: QuerySet[Client], rank: Callable[[], Func] | None, limit: int
) -> list[Client]:
    """The best `limit` of `matches` (by `rank`, then by name). They are chosen in a
    subquery of ids, so that only they are joined with what the search box shows."""

    def ordered(queryset: QuerySet[Client]) -> QuerySet[Client]:
        if rank is None:
            return queryset.order_by("name", "pk")
        return queryset.annotate(rank=rank()).order_by("-rank", "name", "pk")

    return list(ordered(visible.filter(pk__in=ordered(matches).values("pk")[:limit])))


def search_clients(actor: Membership, text: str, *, kind: str | None = None, limit: int = 10) -> list[Client]:
    """The search box: up to `limit` visible clients that contain the typed fragments (best
    matches first, then by name; of a fragment found in more than CANDIDATES clients,
    CANDIDATES are ranked), or, when none does, whose name is a near-spelling of the text
    (most alike first): a typo is looked for only where it is the likely reason."""
    from relata.clients.selectors.clients import clients_visible_to

    lowered, digit_variants = _terms(text)
    if len(lowered) < 2:
        return []
    visible = clients_visible_to(actor, kind)
    candidates = visible.filter(_exact_q(lowered, digit_variants)).order_by().values("pk")[:CANDIDATES]
    exact_rank = (lambda: _similarity("search_text", lowered)) if len(lowered) >= MIN_TYPO_LENGTH else None
    found = _best(visible, visible.filter(pk__in=candidates), exact_rank, limit)
    key = _typo_key(text)
    if not found and key:
        near, typo = _typo_condition(visible, key)
        found = _best(visible, near.filter(typo), lambda: _likeness("match_name", key), limit)
    return found
