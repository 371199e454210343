"""Bulk changes of companies and people through the API: the same job as the list's bulk bar."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.clients.api.segments import list_query
from relata.clients.models import ClientKind
from relata.clients.selectors.segments import segments_visible_to
from relata.clients.services.bulk import bulk_start
from relata.core.access import get_visible
from relata.core.api.schemas import JobOut

router = Router(tags=["clients"])
PAYLOAD_NAMES = {"owner": "owner_id", "status": "status_id"}


class BulkIn(Schema):
    kind: str = Field(..., description="company or person")
    action: str = Field(..., description="assign, tag, untag, status or delete")
    ids: list[int] = Field(default_factory=list, description="The chosen clients (unless `all`).")
    all: bool = Field(False, description="Every client the definition (and segment) matches, instead of `ids`.")
    definition: dict[str, Any] = Field(default_factory=dict, description="Filter conditions, as for segments.")
    segment_id: int | None = None
    owner_id: int | None = Field(None, description="The new owner (assign).")
    tag: str = Field("", max_length=50, description="The tag to add or remove (tag, untag).")
    status_id: int | None = Field(None, description="The new lifecycle status (status).")


@router.post(
    "/clients/bulk",
    response={202: JobOut},
    summary="Assign, tag, untag, set the status of or delete many clients (a job)",
)
def bulk(request: HttpRequest, payload: BulkIn) -> Status:
    actor = actor_of(request)
    if payload.kind not in ClientKind.values:
        raise ValidationError({"kind": ["Choose company or person."]})
    if payload.segment_id is not None:
        get_visible(actor, segments_visible_to(actor, payload.kind), payload.segment_id)
    try:
        job = bulk_start(
            actor,
            kind=payload.kind,
            action=payload.action,
            ids=payload.ids,
            select_all=payload.all,
            query=list_query(payload.definition, segment_id=payload.segment_id) if payload.all else "",
            owner_id=payload.owner_id,
            tag=payload.tag,
            status_id=payload.status_id,
        )
    except ValidationError as error:
        # The service names the form's fields; name the payload's.
        raise ValidationError(
            {PAYLOAD_NAMES.get(name, name): messages for name, messages in error.message_dict.items()}
        ) from error
    job.refresh_from_db()
    return Status(202, job)
