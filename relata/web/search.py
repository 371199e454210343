"""The global search box: each app registers a provider that finds its records by a
fragment of text, within the actor's visibility scope (through its selectors)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from relata.core.models import Membership


@dataclass(frozen=True)
class SearchHit:
    title: str
    subtitle: str
    url: str
    icon: str = "circle"


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: str | Promise
    module: str | None
    find: Callable[[Membership, str, int], list[SearchHit]]
    order: int = 100


_PROVIDERS: dict[str, SearchProvider] = {}
MIN_LENGTH = 2


def register_search(provider: SearchProvider) -> None:
    _PROVIDERS[provider.key] = provider


def search(actor: Membership, text: str, limit: int = 5) -> list[tuple[SearchProvider, list[SearchHit]]]:
    """Hits per provider, only from providers whose module the actor may view."""
    text = text.strip()
    if len(text) < MIN_LENGTH:
        return []
    groups = []
    for provider in sorted(_PROVIDERS.values(), key=lambda p: p.order):
        if provider.module is not None and not actor.can(provider.module, "view"):
            continue
        hits = provider.find(actor, text, limit)
        if hits:
            groups.append((provider, hits))
    return groups
