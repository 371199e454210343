"""Permission-matrix entries of the sales settings: the pages and every change are the
administrators' (`admin.change`); the API lets readers of sales read pipelines, stages
and loss reasons.

The world has a conveyor pipeline with two stages (the second with team North) and a
spare pipeline out of use, with two stages and no deals, for the deletions.
"""

from __future__ import annotations

from typing import Any

from relata.core.tests.matrix import Rule, World, api_rule, form, page
from relata.sales.services.settings import loss_reason_save, pipeline_create, stage_create

LEAK_MARKERS = ["Tourmaline"]


def extend_world(world: World) -> None:
    admin = world.p.admin
    conveyor = pipeline_create(admin, values={"name": "Tourmaline conveyor", "mode": "conveyor"})
    first = stage_create(admin, conveyor.pk, values={"name": "Tourmaline first", "probability": 20})
    second = stage_create(
        admin, conveyor.pk, values={"name": "Tourmaline second", "probability": 60, "team": world.p.north.pk}
    )
    spare = pipeline_create(admin, values={"name": "Tourmaline spare", "is_active": False})
    spare_stage = stage_create(admin, spare.pk, values={"name": "Tourmaline spare A"})
    stage_create(admin, spare.pk, values={"name": "Tourmaline spare B"})
    world.extra.update(
        tourmaline_pipeline=conveyor,
        tourmaline_first=first,
        tourmaline_second=second,
        tourmaline_spare=spare,
        tourmaline_spare_stage=spare_stage,
        tourmaline_reason=loss_reason_save(admin, name="Tourmaline reason"),
    )


def _pk(name: str, key: str = "pk") -> Any:
    return lambda w: {key: getattr(w, name).pk}


def _stage_form(w: World) -> dict[str, Any]:
    return {"name": "Matrix stage", "probability": "30", "required_fields": ["amount"], "handoff": "round_robin"}


PAGES: dict[str, Rule] = {
    "sales:pipelines": page("admin.change"),
    "sales:pipeline_new": page("admin.change"),
    "sales:pipeline_edit": page("admin.change", object_route=True, kwargs=_pk("tourmaline_pipeline")),
    "sales:pipeline_delete": form("admin.change", lambda w: {}, object_route=True, kwargs=_pk("tourmaline_spare")),
    "sales:pipeline_stages": page("admin.change", object_route=True, kwargs=_pk("tourmaline_pipeline")),
    "sales:pipeline_stage_new": page("admin.change", object_route=True, kwargs=_pk("tourmaline_pipeline")),
    "sales:pipeline_stage_edit": page("admin.change", object_route=True, kwargs=_pk("tourmaline_second")),
    "sales:pipeline_stage_delete": form(
        "admin.change", lambda w: {}, object_route=True, kwargs=_pk("tourmaline_spare_stage")
    ),
    "sales:pipeline_stage_move": form(
        "admin.change", lambda w: {"direction": "down"}, object_route=True, kwargs=_pk("tourmaline_first")
    ),
    "sales:loss_reasons": page("admin.change"),
    "sales:loss_reason_new": page("admin.change"),
    "sales:loss_reason_edit": page("admin.change", object_route=True, kwargs=_pk("tourmaline_reason")),
}

PAGE_POSTS: dict[str, Rule] = {
    "sales:pipeline_new": form("admin.change", lambda w: {"name": "Matrix pipeline", "mode": "parallel"}),
    "sales:pipeline_edit": form(
        "admin.change",
        lambda w: {
            "version": w.tourmaline_pipeline.version,
            "name": "Renamed",
            "mode": "conveyor",
            "position": "5",
            "is_active": "on",
        },
        object_route=True,
        kwargs=_pk("tourmaline_pipeline"),
    ),
    "sales:pipeline_stage_new": form("admin.change", _stage_form, object_route=True, kwargs=_pk("tourmaline_pipeline")),
    "sales:pipeline_stage_edit": form(
        "admin.change",
        lambda w: {**_stage_form(w), "name": "Renamed", "team": w.p.south.pk},
        object_route=True,
        kwargs=_pk("tourmaline_second"),
    ),
    "sales:loss_reason_new": form("admin.change", lambda w: {"name": "Matrix reason", "is_active": "on"}),
    "sales:loss_reason_edit": form(
        "admin.change",
        lambda w: {"name": "Renamed", "position": "1", "is_active": "on"},
        object_route=True,
        kwargs=_pk("tourmaline_reason"),
    ),
}

_PIPELINE = "/api/v1/pipelines/{pipeline_id}"
_STAGE = "/api/v1/stages/{stage_id}"


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/pipelines"): api_rule("sales.view"),
    ("GET", _PIPELINE): api_rule("sales.view", object_route=True, kwargs=_pk("tourmaline_pipeline", "pipeline_id")),
    ("POST", "/api/v1/pipelines"): api_rule(
        "admin.change", 201, data=lambda w: {"name": "Matrix pipeline", "mode": "conveyor"}
    ),
    ("PATCH", _PIPELINE): api_rule(
        "admin.change",
        data=lambda w: {"version": w.tourmaline_pipeline.version, "name": "Renamed"},
        object_route=True,
        kwargs=_pk("tourmaline_pipeline", "pipeline_id"),
    ),
    ("DELETE", _PIPELINE): api_rule(
        "admin.change", 204, data=lambda w: {}, object_route=True, kwargs=_pk("tourmaline_spare", "pipeline_id")
    ),
    ("POST", "/api/v1/pipelines/{pipeline_id}/stages"): api_rule(
        "admin.change",
        201,
        data=lambda w: {"name": "Matrix stage", "probability": 30, "team_id": w.p.south.pk},
        object_route=True,
        kwargs=_pk("tourmaline_pipeline", "pipeline_id"),
    ),
    ("POST", "/api/v1/pipelines/{pipeline_id}/stages/order"): api_rule(
        "admin.change",
        data=lambda w: {"stage_ids": [w.tourmaline_second.pk, w.tourmaline_first.pk]},
        object_route=True,
        kwargs=_pk("tourmaline_pipeline", "pipeline_id"),
    ),
    ("PATCH", _STAGE): api_rule(
        "admin.change",
        data=lambda w: {"probability": 70, "required_fields": ["amount", "client"]},
        object_route=True,
        kwargs=_pk("tourmaline_second", "stage_id"),
    ),
    ("DELETE", _STAGE): api_rule(
        "admin.change", 204, data=lambda w: {}, object_route=True, kwargs=_pk("tourmaline_spare_stage", "stage_id")
    ),
    ("GET", "/api/v1/loss-reasons"): api_rule("sales.view"),
    ("POST", "/api/v1/loss-reasons"): api_rule("admin.change", 201, data=lambda w: {"name": "Matrix reason"}),
    ("PATCH", "/api/v1/loss-reasons/{reason_id}"): api_rule(
        "admin.change",
        data=lambda w: {"name": "Renamed", "is_active": False},
        object_route=True,
        kwargs=_pk("tourmaline_reason", "reason_id"),
    ),
}
