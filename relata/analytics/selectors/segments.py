"""What analytics adds to the client filters and segments: "ABC class is …", "XYZ class
is …", "RFM segment is …" over the stored classes
(relata.clients.fields.register_client_filters).

The filters' related-record conditions take whole-number choices, so each class is
offered by its position in its list (1 = A, 2 = B, …); positions are stable because the
lists only ever grow at their end."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, TextChoices
from django.utils.translation import gettext_lazy as _

from relata.analytics.models import AbcClass, ClientClass, RfmSegment, XyzClass
from relata.clients.fields import RELATED, ClientField
from relata.core.models import Workspace

FIELDS: tuple[tuple[str, str, type[TextChoices], object], ...] = (
    ("analytics.abc", "abc", AbcClass, _("ABC class")),
    ("analytics.xyz", "xyz", XyzClass, _("XYZ class")),
    ("analytics.rfm_segment", "rfm_segment", RfmSegment, _("RFM segment")),
)


def _class_in(column: str, values: list[str]) -> Callable[[list[int]], Q]:
    def condition(ids: list[int]) -> Q:
        chosen = [values[i - 1] for i in ids if 1 <= i <= len(values)]
        return Q(Exists(ClientClass.objects.filter(client_id=OuterRef("pk"), **{f"{column}__in": chosen})))

    return condition


def analytics_client_filters(workspace_id: int, kind: str) -> list[ClientField]:
    """The client's current classes, while the analytics module is on."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None or not workspace.module_enabled("analytics"):
        return []
    fields = []
    for key, column, choices, label in FIELDS:
        values = list(choices.values)
        fields.append(
            ClientField(
                key,
                label,  # type: ignore[arg-type]
                RELATED,
                sortable=False,
                importable=False,
                choices=tuple((position, choices(value).label) for position, value in enumerate(values, start=1)),
                condition=_class_in(column, values),
            )
        )
    return fields
