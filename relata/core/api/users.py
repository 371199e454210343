"""Members of the workspace: a directory for every member, managed by administrators."""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.api.schemas import UserFilter, UserIn, UserOut, UserPatch
from relata.core.models import Membership
from relata.core.selectors.members import member_get, members_visible_to
from relata.core.services.members import member_add, member_deactivate, member_reactivate, member_update

router = Router(tags=["users"])


def _filtered(actor: Membership, filters: UserFilter) -> QuerySet[Membership]:
    queryset = members_visible_to(actor)
    if filters.q:
        queryset = queryset.filter(
            Q(user__full_name__icontains=filters.q) | Q(user__email__icontains=filters.q.lower())
        )
    if filters.role_id is not None:
        queryset = queryset.filter(role_id=filters.role_id)
    if filters.team_id is not None:
        queryset = queryset.filter(team_id=filters.team_id)
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    return queryset.order_by("user__full_name", "user_id")


@router.get("", response=list[UserOut], summary="Members of the workspace")
@paginate(PagePagination)
def user_list(request: HttpRequest, filters: Query[UserFilter]) -> QuerySet[Membership]:
    return _filtered(actor_of(request), filters)


@router.get("/{user_id}", response=UserOut, summary="One member")
def user_detail(request: HttpRequest, user_id: int) -> Membership:
    return member_get(actor_of(request), user_id)


@router.post("", response={201: UserOut}, summary="Add a member (an existing user or a new one)")
def user_add(request: HttpRequest, payload: UserIn) -> Status:
    actor = actor_of(request)
    membership, _is_new = member_add(
        actor,
        email=payload.email,
        full_name=payload.full_name,
        role_id=payload.role_id,
        team_id=payload.team_id,
        title=payload.title,
        invite=payload.send_invitation,
    )
    return Status(201, member_get(actor, membership.user_id))


@router.patch("/{user_id}", response=UserOut, summary="Change a member's role, team or title")
def user_update(request: HttpRequest, user_id: int, payload: UserPatch) -> Membership:
    actor = actor_of(request)
    current = member_get(actor, user_id)
    data = payload.dict(exclude_unset=True)
    member_update(
        actor,
        user_id,
        version=payload.version,
        role_id=data.get("role_id", current.role_id),
        team_id=data.get("team_id", current.team_id),
        title=data["title"] if data.get("title") is not None else current.title,
    )
    return member_get(actor, user_id)


@router.post("/{user_id}/deactivate", response=UserOut, summary="Deactivate: end sessions, revoke tokens")
def user_deactivate(request: HttpRequest, user_id: int) -> Membership:
    actor = actor_of(request)
    member_deactivate(actor, user_id)
    return member_get(actor, user_id)


@router.post("/{user_id}/reactivate", response=UserOut, summary="Restore a deactivated member's access")
def user_reactivate(request: HttpRequest, user_id: int) -> Membership:
    actor = actor_of(request)
    member_reactivate(actor, user_id)
    return member_get(actor, user_id)
