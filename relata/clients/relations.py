"""Every record that points at a client, so that a merge can move it to the survivor.

A merge deletes the absorbed client, and a foreign key left pointing at it would either
vanish with it (CASCADE: deals, orders and activities lost) or block the delete
(PROTECT). So each app registers, when it is imported, every foreign key of its models
to `clients.Client`:

    register_client_relation(Deal, "client")                    # re-pointed by one UPDATE
    register_client_relation(LoyaltyCard, "client", merge=...)   # custom logic (a unique key)

A plain registration re-points the rows with one UPDATE. A relation that cannot simply
be re-pointed (a unique constraint per client, rows to combine) gives a `merge` hook,
called inside the merge's transaction; it must leave no row pointing at the absorbed
client that should survive it (rows it leaves are deleted with the absorbed client).

The merge refuses to run when a foreign key to `Client` that nobody registered still has
rows pointing at the absorbed record (see `unregistered_relations`), and a test walks
every model to fail on an unregistered one: forgetting to register cannot lose data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import ForeignKey, Model

if TYPE_CHECKING:
    from relata.clients.models import Client
    from relata.core.models import Membership

MergeHook = Callable[["Membership", "Client", "Client"], int]
"""`hook(actor, survivor, absorbed)` → how many rows it moved (for the merge's event)."""


@dataclass(frozen=True)
class ClientRelation:
    model: type[Model]
    field_name: str
    merge: MergeHook | None = None
    label: Any = None  # what the merge page calls these rows; the model's verbose_name_plural by default

    @property
    def key(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field_name}"

    @property
    def display(self) -> Any:
        return self.label or self.model._meta.verbose_name_plural

    def count(self, absorbed: Client) -> int:
        """Rows of this relation pointing at `absorbed` (what the merge page announces)."""
        return self.model._default_manager.filter(**{self.field_name: absorbed}).count()

    def move(self, actor: Membership, survivor: Client, absorbed: Client) -> int:
        if self.merge is not None:
            return self.merge(actor, survivor, absorbed)
        return self.model._default_manager.filter(**{self.field_name: absorbed}).update(**{self.field_name: survivor})


_RELATIONS: dict[str, ClientRelation] = {}


def register_client_relation(
    model: type[Model], field_name: str, *, merge: MergeHook | None = None, label: Any = None
) -> None:
    """Declare that `model.field_name` is a foreign key to a client that a merge moves.

    Registering the same relation again replaces it (module reloads in tests)."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, ForeignKey):
        raise TypeError(f"{model._meta.label}.{field_name} is not a foreign key")
    relation = ClientRelation(model, field_name, merge, label)
    _RELATIONS[relation.key] = relation


def client_relations() -> list[ClientRelation]:
    """The registered relations, in registration order (the clients app's own first)."""
    return list(_RELATIONS.values())


def foreign_keys_to_clients() -> list[tuple[type[Model], str]]:
    """Every concrete foreign key of any installed model that points at `Client`
    (including many-to-many tables and the parent company of `Client` itself)."""
    from relata.clients.models import Client

    found = []
    for related in Client._meta.get_fields(include_hidden=True):
        if not related.auto_created or related.concrete or not related.is_relation:
            continue
        field = getattr(related, "field", None)
        model = related.related_model
        if isinstance(field, ForeignKey) and isinstance(model, type):
            found.append((model, field.name))
    return found


def unregistered_relations() -> list[tuple[type[Model], str]]:
    """Foreign keys to `Client` that no app registered (a merge would lose or be blocked
    by their rows)."""
    registered = {(r.model, r.field_name) for r in _RELATIONS.values()}
    return [(model, name) for model, name in foreign_keys_to_clients() if (model, name) not in registered]


def merge_unique_links(model: type[Model], group_field: str, person_field: str = "person") -> MergeHook:
    """A merge hook for link tables holding a person at most once per record (activity
    participants, deal contacts): the absorbed person's links move to the survivor,
    except where the survivor is already linked to the same record."""

    def merge(actor: Any, survivor: Any, absorbed: Any) -> int:
        links = model._default_manager.filter(**{person_field: absorbed})
        taken = model._default_manager.filter(**{person_field: survivor}).values_list(group_field, flat=True)
        moved = links.exclude(**{f"{group_field}__in": list(taken)}).update(**{person_field: survivor})
        links.delete()  # what is left were duplicates of the survivor's links
        return moved

    return merge
