"""Teams (departments): a directory for every member, managed by administrators."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import get_visible
from relata.core.api.schemas import TeamFilter, TeamIn, TeamOut, TeamPatch
from relata.core.models import Team
from relata.core.selectors.teams import teams_visible_to
from relata.core.services.teams import team_create, team_delete, team_update

router = Router(tags=["teams"])


@router.get("", response=list[TeamOut], summary="Teams of the workspace")
@paginate(PagePagination)
def team_list(request: HttpRequest, filters: Query[TeamFilter]) -> QuerySet[Team]:
    queryset = teams_visible_to(actor_of(request))
    if filters.parent_id is not None:
        queryset = queryset.filter(parent_id=filters.parent_id)
    return queryset.order_by("name", "id")


@router.get("/{team_id}", response=TeamOut, summary="One team")
def team_detail(request: HttpRequest, team_id: int) -> Team:
    actor = actor_of(request)
    return get_visible(actor, teams_visible_to(actor), team_id)


@router.post("", response={201: TeamOut}, summary="Create a team")
def team_new(request: HttpRequest, payload: TeamIn) -> Status:
    team = team_create(
        actor_of(request), name=payload.name, parent_id=payload.parent_id, description=payload.description
    )
    return Status(201, team)


@router.patch("/{team_id}", response=TeamOut, summary="Rename or move a team")
def team_change(request: HttpRequest, team_id: int, payload: TeamPatch) -> Team:
    actor = actor_of(request)
    team = get_visible(actor, teams_visible_to(actor), team_id)
    data = payload.dict(exclude_unset=True)
    return team_update(
        actor,
        team.pk,
        version=payload.version,
        name=data["name"] if data.get("name") is not None else team.name,
        parent_id=data.get("parent_id", team.parent_id),
        description=data["description"] if data.get("description") is not None else team.description,
    )


@router.delete("/{team_id}", response={204: None}, summary="Delete an empty team")
def team_remove(request: HttpRequest, team_id: int) -> Status:
    team_delete(actor_of(request), team_id)
    return Status(204, None)
