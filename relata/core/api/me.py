"""The current member: profile and personal API tokens."""

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.core.api.schemas import MeOut, MePatch, TokenCreated, TokenIn, TokenOut
from relata.core.selectors.tokens import tokens_of
from relata.core.services.profile import user_update_profile
from relata.core.services.tokens import token_create, token_revoke

router = Router(tags=["me"])


@router.get("", response=MeOut, summary="The current user, workspace, role and permissions")
def me(request: HttpRequest) -> MeOut:
    return MeOut.from_actor(actor_of(request))


@router.patch("", response=MeOut, summary="Change your name, language or time zone")
def me_update(request: HttpRequest, payload: MePatch) -> MeOut:
    actor = actor_of(request)
    user = actor.user
    data = payload.dict(exclude_unset=True)
    user_update_profile(
        actor,
        full_name=data.get("full_name") if data.get("full_name") is not None else user.full_name,
        language=data.get("language") or user.language,
        time_zone=data["time_zone"] if data.get("time_zone") is not None else user.time_zone,
    )
    return MeOut.from_actor(actor)


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def tokens(request: HttpRequest) -> list[TokenOut]:
    return list(tokens_of(actor_of(request)))  # type: ignore[arg-type]


@router.post("/tokens", response={201: TokenCreated}, summary="Create an API token (the secret is shown once)")
def token_new(request: HttpRequest, payload: TokenIn) -> Status:
    token, secret = token_create(actor_of(request), name=payload.name, expires_at=payload.expires_at)
    token.secret = secret  # type: ignore[attr-defined]  (serialised once, never stored)
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of your API tokens")
def token_delete(request: HttpRequest, token_id: int) -> Status:
    token_revoke(actor_of(request), token_id)
    return Status(204, None)
