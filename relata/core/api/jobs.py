"""Background jobs and the hand-over that runs as one."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import get_visible
from relata.core.api.schemas import HandoverIn, JobOut, OwnedKindOut
from relata.core.models import Job
from relata.core.selectors.jobs import jobs_visible_to
from relata.core.services.handover import handover_preview, handover_start
from relata.core.services.jobs import job_cancel

router = Router(tags=["jobs"])


@router.get("/jobs", response=list[JobOut], summary="Background jobs you may see, newest first")
@paginate(PagePagination)
def job_list(request: HttpRequest) -> QuerySet[Job]:
    return jobs_visible_to(actor_of(request)).order_by("-created_at", "-id")


@router.get("/jobs/{job_id}", response=JobOut, summary="One job with its progress and result")
def job_detail(request: HttpRequest, job_id: int) -> Job:
    actor = actor_of(request)
    return get_visible(actor, jobs_visible_to(actor), job_id)


@router.post("/jobs/{job_id}/cancel", response=JobOut, summary="Cancel a waiting or running job")
def job_stop(request: HttpRequest, job_id: int) -> Job:
    return job_cancel(actor_of(request), job_id)


@router.get("/handover/{user_id}", response=list[OwnedKindOut], summary="What a member owns and would hand over")
def handover_counts(request: HttpRequest, user_id: int) -> list[OwnedKindOut]:
    return [
        OwnedKindOut(key=line.kind.key, label=str(line.kind.label), module=line.kind.module, count=line.count)
        for line in handover_preview(actor_of(request), user_id)
    ]


@router.post("/handover", response={202: JobOut}, summary="Hand a member's records over to colleagues (a job)")
def handover(request: HttpRequest, payload: HandoverIn) -> Status:
    job = handover_start(
        actor_of(request),
        from_user_id=payload.from_user_id,
        to_user_ids=payload.to_user_ids,
        kinds=payload.kinds,
        deactivate=payload.deactivate,
    )
    job.refresh_from_db()
    return Status(202, job)
