"""The demo's two pipelines: wholesale to builders and dealers (the default pipeline,
renamed, parallel sales) and retail to private buyers (conveyor sales: the order is
put together by the Moscow team, whose yard ships it).

Each stage carries, besides its settings, how the demo's deals behave in it: how long
they usually stay, how many of those reaching it are lost there, and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from relata.core.models import Membership, Team
from relata.sales.models import HandoffPolicy, Pipeline, SalesMode, Stage
from relata.sales.services.settings import pipeline_create, pipeline_update, stage_create, stage_update


@dataclass(frozen=True)
class StageSpec:
    name: str
    probability: int
    required: tuple[str, ...] = ()
    team: str = ""  # conveyor pipelines: the responsible team's name
    dwell: tuple[int, int] = (1, 5)  # days a deal usually stays in the stage
    loss: float = 0.1  # the share of deals reaching the stage that are lost in it
    reasons: dict[str, int] = field(default_factory=dict)  # loss reason key → weight


@dataclass(frozen=True)
class PipelineSpec:
    name: str
    mode: str
    position: int
    stages: tuple[StageSpec, ...]
    retail: bool  # deals with private buyers (else with companies)


@dataclass
class Line:
    """A pipeline of the workspace with its stages, in the order of its spec."""

    spec: PipelineSpec
    pipeline: Pipeline
    stages: list[Stage]

    def first_requiring(self, key: str) -> int:
        """The index of the first stage that requires `key` (past the last: none does)."""
        return next((n for n, s in enumerate(self.spec.stages) if key in s.required), len(self.spec.stages))


# Wholesale loses most deals once the price is on the table: at the offer and in negotiation.
B2B = PipelineSpec(
    "Оборудование и материалы B2B",
    SalesMode.PARALLEL,
    10,
    (
        StageSpec(
            "Новая заявка",
            10,
            (),
            dwell=(0, 3),
            loss=0.08,
            reasons={"no_answer": 40, "no_need": 35, "no_budget": 15, "price": 10},
        ),
        StageSpec(
            "Квалификация",
            20,
            ("client",),
            dwell=(2, 8),
            loss=0.12,
            reasons={"no_need": 30, "no_budget": 30, "no_answer": 25, "price": 15},
        ),
        StageSpec(
            "Коммерческое предложение",
            40,
            ("client", "amount"),
            dwell=(4, 15),
            loss=0.28,
            reasons={"price": 50, "competitor": 25, "no_budget": 12, "terms": 8, "no_answer": 5},
        ),
        StageSpec(
            "Переговоры",
            60,
            ("client", "amount", "expected_close_date"),
            dwell=(5, 25),
            loss=0.24,
            reasons={"price": 35, "competitor": 35, "terms": 15, "no_budget": 10, "no_answer": 5},
        ),
        StageSpec(
            "Договор и счёт",
            80,
            ("client", "contacts", "amount", "expected_close_date"),
            dwell=(3, 12),
            loss=0.06,
            reasons={"terms": 40, "no_budget": 25, "competitor": 20, "price": 15},
        ),
    ),
    retail=False,
)

# Retail: whoever takes the request helps to choose; the Moscow team draws up the order.
B2C = PipelineSpec(
    "Розница B2C",
    SalesMode.CONVEYOR,
    20,
    (
        StageSpec("Обращение", 10, (), dwell=(0, 2), loss=0.10, reasons={"no_answer": 45, "no_need": 30, "price": 25}),
        StageSpec(
            "Подбор",
            30,
            ("client",),
            dwell=(1, 6),
            loss=0.16,
            reasons={"price": 40, "no_need": 25, "no_answer": 20, "competitor": 15},
        ),
        StageSpec(
            "Оформление заказа",
            50,
            ("client", "amount"),
            team="Продажи: Москва",
            dwell=(0, 3),
            loss=0.12,
            reasons={"price": 35, "competitor": 30, "terms": 25, "no_budget": 10},
        ),
        StageSpec(
            "Счёт выставлен",
            70,
            ("client", "amount", "expected_close_date"),
            dwell=(1, 5),
            loss=0.10,
            reasons={"no_budget": 35, "no_answer": 35, "price": 20, "competitor": 10},
        ),
        StageSpec(
            "Оплата",
            90,
            ("client", "amount", "expected_close_date"),
            dwell=(1, 6),
            loss=0.03,
            reasons={"terms": 60, "no_answer": 40},
        ),
    ),
    retail=True,
)
PIPELINES = [B2B, B2C]


def _save_stages(admin: Membership, line: Line) -> None:
    """The pipeline's stages as the spec says, reusing its existing stages in order (the
    default pipeline's five become the wholesale ones)."""
    teams = {team.name: team.pk for team in Team.objects.filter(workspace_id=admin.workspace_id)}
    existing = list(Stage.objects.filter(pipeline=line.pipeline).order_by("position", "id"))
    for n, spec in enumerate(line.spec.stages):
        values = {
            "name": spec.name,
            "position": n * 10,
            "probability": spec.probability,
            "required_fields": list(spec.required),
            "team": teams.get(spec.team) if line.pipeline.is_conveyor else None,
            "handoff": HandoffPolicy.ROUND_ROBIN,
        }
        if n < len(existing):
            line.stages.append(stage_update(admin, existing[n].pk, values=values))
        else:
            line.stages.append(stage_create(admin, line.pipeline.pk, values=values))


def configure_pipelines(admin: Membership) -> list[Line]:
    """The wholesale pipeline (the workspace's first pipeline renamed, or a new one) and
    the retail one, with their stages, set up by the administrator through the settings
    services. Idempotent: pipelines are found by name."""
    ours = Pipeline.objects.filter(workspace_id=admin.workspace_id)
    lines = []
    for spec in PIPELINES:
        pipeline = ours.filter(name=spec.name).first()
        if pipeline is None and spec is B2B:  # the default pipeline every workspace starts with
            pipeline = ours.exclude(name__in=[s.name for s in PIPELINES]).order_by("position", "id").first()
        values = {"name": spec.name, "mode": spec.mode, "position": spec.position, "is_active": True}
        if pipeline is None:
            pipeline = pipeline_create(admin, values=values)
        else:
            pipeline = pipeline_update(admin, pipeline.pk, version=pipeline.version, values=values)
        line = Line(spec, pipeline, [])
        _save_stages(admin, line)
        lines.append(line)
    return lines
