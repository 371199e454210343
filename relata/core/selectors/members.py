from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from relata.core.access import scope_queryset
from relata.core.models import Membership, Role, User, normalize_email


def members_visible_to(actor: Membership) -> QuerySet[Membership]:
    """Colleagues of the actor's workspace: a directory every member may read."""
    return scope_queryset(actor, Membership.objects.all()).select_related("user", "role", "team")


def member_get(actor: Membership, user_id: int | str) -> Membership:
    """The membership of user `user_id` in the actor's workspace, or 404."""
    try:
        return members_visible_to(actor).get(user_id=int(user_id))
    except (Membership.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("member") from exc


def members_search(actor: Membership, text: str) -> QuerySet[Membership]:
    text = text.strip()
    queryset = members_visible_to(actor)
    if text:
        queryset = queryset.filter(Q(user__full_name__icontains=text) | Q(user__email__icontains=text.lower()))
    return queryset


def roles_visible_to(actor: Membership) -> QuerySet[Role]:
    return scope_queryset(actor, Role.objects.all())


def active_memberships_of(user_id: int) -> QuerySet[Membership]:
    """The user's own memberships (for the workspace switcher and log-in)."""
    return (
        Membership.objects.filter(user_id=user_id, is_active=True, workspace__is_active=True)
        .select_related("workspace", "role", "team", "user")
        .order_by("workspace__name")
    )


def users_of_workspace(actor: Membership) -> QuerySet[User]:
    """The users who are (or were) members of the actor's workspace."""
    return User.objects.filter(pk__in=members_visible_to(actor).values("user_id")).order_by("full_name")


def users_for_password_reset(email: str) -> QuerySet[User]:
    """Active users with this e-mail who may still work somewhere (before any actor
    exists: the password-reset form)."""
    return User.objects.filter(email=normalize_email(email), is_active=True, memberships__is_active=True).distinct()
