"""Finding clients by a fragment of a name, phone (typed any way), e-mail or tax id,
tolerant of typos.

PostgreSQL: `search_text` (lower-cased names, phone digits, e-mails, tax ids) has a
trigram GIN index; a fragment is found with LIKE and a misspelt word with the word
similarity operator (%>), both answered from the index.
SQLite: the same LIKE scans the rows, and typos are scored by rapidfuzz in a function
registered on the connection — the honest equivalent for the small bases SQLite serves.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, FloatField, Func, Q, QuerySet, Value
from rapidfuzz import fuzz

from relata.clients.models import Client
from relata.clients.normalize import phone_digits
from relata.core.db import ensure_sqlite_functions, register_sqlite_function
from relata.core.models import Membership

TYPO_THRESHOLD = 0.6  # pg_trgm's default word_similarity_threshold
MIN_DIGITS = 3


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


def search_filter(queryset: QuerySet[Client], text: str) -> QuerySet[Client]:
    """`queryset` narrowed to clients matching `text` (fragment or near-spelling)."""
    lowered, digit_variants = _terms(text)
    if not lowered:
        return queryset
    condition = Q(search_text__contains=lowered)
    for digits in digit_variants:
        condition |= Q(search_text__contains=digits)
    if len(lowered) >= 4:
        if connection.vendor == "postgresql":
            condition |= Q(search_text__trigram_word_similar=lowered)
        else:
            ensure_sqlite_functions()
            queryset = queryset.annotate(_similarity=WordSimilarity(F("search_text"), Value(lowered)))
            condition |= Q(_similarity__gte=0.8)
    return queryset.filter(condition)


def search_ranked(queryset: QuerySet[Client], text: str) -> QuerySet[Client]:
    """Matches, best first: exact fragments before near-spellings, then by name."""
    lowered, _digits = _terms(text)
    matches = search_filter(queryset, text)
    if connection.vendor == "postgresql" and len(lowered) >= 4:
        from django.contrib.postgres.search import TrigramWordSimilarity

        similarity = TrigramWordSimilarity(Value(lowered), "search_text")  # type: ignore[arg-type]
        return matches.annotate(rank=similarity).order_by("-rank", "name")
    if connection.vendor != "postgresql" and len(lowered) >= 4:
        return matches.annotate(rank=WordSimilarity(F("search_text"), Value(lowered))).order_by("-rank", "name")
    return matches.order_by("name")


def search_clients(actor: Membership, text: str, *, kind: str | None = None, limit: int = 10) -> list[Client]:
    from relata.clients.selectors.clients import clients_visible_to

    if len(text.strip()) < 2:
        return []
    return list(search_ranked(clients_visible_to(actor, kind), text)[:limit])
