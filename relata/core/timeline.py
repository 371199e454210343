"""Record timelines: one newest-first stream of everything that happened to a record
(a client now; deals and tickets later), made of sources that apps register; most are
`RecordRows`: one model's rows about the record, declared by a few attributes.

Each source reads its own table (field changes from the event log, activities, tasks,
later stage changes and orders…) and the page merges them. Paging is by keyset, not by
offset: a page asks every source for at most `limit + 1` rows older than the cursor,
each an indexed range read, so the thousandth page of a busy client costs what the
first does. The order is (time desc, source rank, id desc), total and stable.

    register_timeline_source("clients.client", ActivitySource())
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise

from relata.core.access import scope_queryset
from relata.core.models import Membership

PAGE_SIZE = 25


@dataclass(frozen=True, order=True)
class Cursor:
    """The position after the last entry shown."""

    at: dt.datetime
    rank: int
    pk: int

    def encode(self) -> str:
        return f"{self.at.isoformat()}|{self.rank}|{self.pk}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        try:
            at_text, rank, pk = (text or "").rsplit("|", 2)
            at = parse_datetime(at_text)
            return cls(at, int(rank), int(pk)) if at is not None else None
        except ValueError:
            return None


@dataclass
class TimelineItem:
    at: dt.datetime
    rank: int
    pk: int
    kind: str  # the filter value it answers to, e.g. "activities:call"
    template: str
    obj: Any
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.rank, self.pk)


class TimelineSource(Protocol):
    key: str
    rank: int

    def filters(self, actor: Membership) -> list[tuple[str, str | Promise]]:
        """The kinds a user may filter on, as (value, label); values start with `key`."""
        ...

    def fetch(
        self,
        actor: Membership,
        record: Model,
        *,
        before: Cursor | None,
        limit: int,
        kind: str | None,
        author_id: int | None,
    ) -> list[TimelineItem]:
        """At most `limit` entries older than `before`, newest first (see `keyset`)."""
        ...


_SOURCES: dict[str, dict[str, TimelineSource]] = {}


def register_timeline_source(model_label: str, source: TimelineSource) -> None:
    _SOURCES.setdefault(model_label.lower(), {})[source.key] = source


def sources_for(record: Model | type[Model]) -> list[TimelineSource]:
    label = record._meta.label_lower
    return sorted(_SOURCES.get(label, {}).values(), key=lambda s: s.rank)


def wants(source_key: str, kind: str | None) -> bool:
    """Whether a source serves the filter `kind` ("activities", "activities:call"…)."""
    return kind is None or kind == source_key or kind.startswith(f"{source_key}:")


def keyset(queryset: QuerySet[Any], time_field: str, rank: int, before: Cursor | None) -> QuerySet[Any]:
    """`queryset` narrowed to what comes after `before` in the timeline's order and
    sorted newest first (the caller slices)."""
    if before is not None:
        if rank < before.rank:
            condition = Q(**{f"{time_field}__lt": before.at})
        elif rank == before.rank:
            # "t <= T and (t < T or id < I)": the same rows as "t < T or (t = T and id < I)",
            # but PostgreSQL reads it as one index range instead of scanning from the top.
            condition = Q(**{f"{time_field}__lte": before.at}) & (
                Q(**{f"{time_field}__lt": before.at}) | Q(pk__lt=before.pk)
            )
        else:
            condition = Q(**{f"{time_field}__lte": before.at})
        queryset = queryset.filter(condition)
    return queryset.order_by(f"-{time_field}", "-pk")


class RecordRows:
    """A source made of one model's rows about the record, newest first by `time_field`,
    within the actor's scope on those rows; the author filter matches `author_field`.
    Subclasses name the rows (`rows`), the permission module that shows them in the
    filter (`module`) and how an entry looks (`template`, `related` to load with it)."""

    key: str
    rank: int
    label: Promise
    module: str
    template: str
    time_field: str
    author_field: str
    related: tuple[str, ...] = ()

    def rows(self, record_id: Any) -> QuerySet[Any]:
        raise NotImplementedError

    def filters(self, actor: Membership) -> list[tuple[str, str | Promise]]:
        return [(self.key, self.label)] if actor.can(self.module, "view") else []

    def fetch(
        self,
        actor: Membership,
        record: Model,
        *,
        before: Cursor | None,
        limit: int,
        kind: str | None,
        author_id: int | None,
    ) -> list[TimelineItem]:
        queryset = scope_queryset(actor, self.rows(record.pk))
        if author_id is not None:
            queryset = queryset.filter(**{self.author_field: author_id})
        rows = keyset(queryset.select_related(*self.related), self.time_field, self.rank, before)[:limit]
        return [
            TimelineItem(getattr(row, self.time_field), self.rank, row.pk, self.key, self.template, row) for row in rows
        ]


@dataclass
class TimelinePage:
    items: list[TimelineItem]
    next_cursor: Cursor | None
    filters: list[tuple[str, str | Promise]]


def timeline_page(
    actor: Membership,
    record: Model,
    *,
    before: Cursor | None = None,
    limit: int = PAGE_SIZE,
    kind: str | None = None,
    author_id: int | None = None,
    enrich: Callable[[list[TimelineItem]], None] | None = None,
) -> TimelinePage:
    """One page of the record's timeline. The caller has fetched `record` through the
    access mechanism; each source applies the actor's scope to its own rows."""
    limit = max(1, min(limit, 100))
    merged: list[TimelineItem] = []
    filters: list[tuple[str, str | Promise]] = []
    for source in sources_for(record):
        filters.extend(source.filters(actor))
        if wants(source.key, kind):
            merged.extend(source.fetch(actor, record, before=before, limit=limit + 1, kind=kind, author_id=author_id))
    merged.sort(key=lambda item: (-item.at.timestamp(), item.rank, -item.pk))
    page = merged[:limit]
    if enrich is not None:
        enrich(page)
    return TimelinePage(page, page[-1].cursor if len(merged) > limit else None, filters)
