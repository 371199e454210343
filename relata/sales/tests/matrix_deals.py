"""Permission-matrix entries of deals, the board and the deal pages.

The deals are manager 1's (team North) on manager 1's client "Quokka Ltd" (a client of
their own, so that the clients' matrix can still delete "Zenith Bricks"): the head of
sales (team Sales, above North) and the administrator see and change them, the
read-only user only sees them, and manager 2 (team South, scope own) must not learn
they exist.
"""

from __future__ import annotations

from typing import Any

from relata.clients.services.clients import client_create
from relata.core.tests.matrix import Rule, World, api_rule, form, page
from relata.sales.models import LossReason, Pipeline, Stage
from relata.sales.services.deals import deal_create, deal_lose

LEAK_MARKERS = ["Quokka deal"]

SEES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 200}  # manager2 and workspace B: 404
CHANGES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 403}
CHANGE_POSTS = {"admin": 302, "head": 302, "manager1": 302, "readonly": 403}
# Deleting needs sales.delete (heads and administrators), checked before any lookup.
DELETE_POSTS = {"admin": 302, "head": 302, "manager1": 403, "manager2": 403, "readonly": 403}
DELETES = {"admin": 204, "head": 204, "manager1": 403, "manager2": 403, "readonly": 403}


def extend_world(world: World) -> None:
    p = world.p
    pipeline = Pipeline.objects.filter(workspace_id=p.admin.workspace_id).order_by("position", "id").first()
    assert pipeline is not None
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    client = client_create(p.manager1, kind="company", values={"name": "Quokka Ltd"})
    deal = deal_create(p.manager1, values={"title": "Quokka deal", "pipeline": pipeline.pk, "client": client.pk})
    reason = LossReason.objects.filter(workspace_id=p.admin.workspace_id).first()
    assert reason is not None
    lost = deal_create(p.manager1, values={"title": "Quokka deal lost", "pipeline": pipeline.pk})
    lost = deal_lose(p.manager1, lost.pk, version=lost.version, reason=reason.pk)
    world.extra.update(deal=deal, lost_deal=lost, pipeline=pipeline, next_stage=stages[1], loss_reason=reason)


def _obj(name: str, key: str = "pk") -> Any:
    return lambda w: {key: getattr(w, name).pk}


PAGES: dict[str, Rule] = {
    "sales:board": page("sales.view"),
    "sales:pipeline_board": page("sales.view", object_route=True, kwargs=_obj("pipeline")),
    "sales:deals": page("sales.view"),
    "sales:deal_new": page("sales.create"),
    "sales:deal": page("custom", object_route=True, kwargs=_obj("deal"), expect=SEES),
    "sales:deal_edit": page("custom", object_route=True, kwargs=_obj("deal"), expect=CHANGES),
    # Without a stage to move to, the page sends the user back to the deal.
    "sales:deal_move": page("custom", object_route=True, kwargs=_obj("deal"), expect=CHANGE_POSTS),
    "sales:deal_win": form(
        "custom", lambda w: {"version": w.deal.version}, object_route=True, kwargs=_obj("deal"), expect=CHANGE_POSTS
    ),
    "sales:deal_lose": page("custom", object_route=True, kwargs=_obj("deal"), expect=CHANGES),
    "sales:deal_reopen": form(
        "custom",
        lambda w: {"version": w.lost_deal.version},
        object_route=True,
        kwargs=_obj("lost_deal"),
        expect=CHANGE_POSTS,
    ),
    "sales:deal_lines": page("custom", object_route=True, kwargs=_obj("deal"), expect=CHANGES),
    "sales:deal_delete": form("custom", lambda w: {}, object_route=True, kwargs=_obj("deal"), expect=DELETE_POSTS),
}

PAGE_POSTS: dict[str, Rule] = {
    "sales:deal_lines": form(
        "custom",
        lambda w: {"version": w.deal.version, "name": ["Matrix line"], "quantity": ["1"], "price": ["10"]},
        object_route=True,
        kwargs=_obj("deal"),
        expect=CHANGE_POSTS,
    ),
    # The pipeline of workspace A is no choice for workspace B's member: a form error.
    "sales:deal_new": form(
        "sales.create", lambda w: {"title": "Matrix deal", "pipeline": w.pipeline.pk}, foreign_data=400
    ),
    "sales:deal_edit": form(
        "custom",
        lambda w: {"title": "Changed", "version": w.deal.version, "currency": "RUB"},
        object_route=True,
        kwargs=_obj("deal"),
        expect=CHANGE_POSTS,
    ),
    "sales:deal_move": form(
        "custom",
        lambda w: {"stage": w.next_stage.pk, "version": w.deal.version},
        object_route=True,
        kwargs=_obj("deal"),
        expect=CHANGE_POSTS,
    ),
    "sales:deal_lose": form(
        "custom",
        lambda w: {"loss_reason": w.loss_reason.pk, "version": w.deal.version},
        object_route=True,
        kwargs=_obj("deal"),
        expect=CHANGE_POSTS,
    ),
}


def _deal_api(data: Any, name: str = "deal") -> Rule:
    return api_rule("custom", data=data, object_route=True, kwargs=_obj(name, "deal_id"), expect=CHANGES)


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/deals"): api_rule("sales.view"),
    ("POST", "/api/v1/deals"): api_rule(
        "sales.create", 201, data=lambda w: {"title": "Matrix deal", "pipeline_id": w.pipeline.pk}, foreign_data=422
    ),
    ("GET", "/api/v1/deals/{deal_id}"): api_rule(
        "custom", object_route=True, kwargs=_obj("deal", "deal_id"), expect=SEES
    ),
    ("PATCH", "/api/v1/deals/{deal_id}"): _deal_api(lambda w: {"version": w.deal.version, "title": "Changed"}),
    ("DELETE", "/api/v1/deals/{deal_id}"): api_rule(
        "custom", 204, data=lambda w: {}, object_route=True, kwargs=_obj("deal", "deal_id"), expect=DELETES
    ),
    ("POST", "/api/v1/deals/{deal_id}/move"): _deal_api(
        lambda w: {"stage_id": w.next_stage.pk, "version": w.deal.version}
    ),
    ("POST", "/api/v1/deals/{deal_id}/win"): _deal_api(lambda w: {"version": w.deal.version}),
    ("POST", "/api/v1/deals/{deal_id}/lose"): _deal_api(
        lambda w: {"version": w.deal.version, "loss_reason_id": w.loss_reason.pk}
    ),
    ("POST", "/api/v1/deals/{deal_id}/reopen"): _deal_api(lambda w: {"version": w.lost_deal.version}, "lost_deal"),
    ("GET", "/api/v1/deals/{deal_id}/lines"): api_rule(
        "custom", object_route=True, kwargs=_obj("deal", "deal_id"), expect=SEES
    ),
    ("PUT", "/api/v1/deals/{deal_id}/lines"): _deal_api(
        lambda w: {"version": w.deal.version, "lines": [{"name": "Matrix line", "quantity": "1", "price": "10"}]}
    ),
    ("GET", "/api/v1/deals/{deal_id}/history"): api_rule(
        "custom", object_route=True, kwargs=_obj("deal", "deal_id"), expect=SEES
    ),
    ("GET", "/api/v1/pipelines/{pipeline_id}/board"): api_rule(
        "sales.view", object_route=True, kwargs=_obj("pipeline", "pipeline_id")
    ),
}
