"""The registry of owned record kinds that a hand-over transfers.

Each app registers its owned models as it appears (clients, open deals, open tasks,
open tickets…) in its AppConfig.ready(). `group_field` keeps related records together:
records with the same value (e.g. the client id of a deal) always go to the same
recipient, so a client's open deals follow the client.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, Q
from django.utils.functional import Promise


@dataclass(frozen=True)
class OwnedKind:
    key: str
    model: type[Model]
    label: str | Promise
    module: str
    group_field: str
    transfer: Q | None = None  # which owned rows move (None: all of them)
    owner_field: str = "owner"


_REGISTRY: dict[str, OwnedKind] = {}


def register_owned(
    key: str,
    model: type[Model],
    *,
    label: str | Promise,
    module: str,
    group_field: str,
    transfer: Q | None = None,
    owner_field: str = "owner",
) -> None:
    _REGISTRY[key] = OwnedKind(key, model, label, module, group_field, transfer, owner_field)


def owned_kinds() -> list[OwnedKind]:
    return list(_REGISTRY.values())


def owned_kind(key: str) -> OwnedKind:
    return _REGISTRY[key]
