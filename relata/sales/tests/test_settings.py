"""Administration of pipelines, stages and loss reasons: the services' rules (and that a
refusal writes nothing), the pages and the API.

Deals are made directly in the tables here: these tests are about the settings, and
only need deals to exist in a stage (open, closed, or passed through)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from relata.core.concurrency import StaleVersion
from relata.core.models import Event, Membership, Team
from relata.sales.models import Deal, DealStatus, LossReason, Pipeline, Stage, StageVisit
from relata.sales.selectors.settings import pipelines_overview
from relata.sales.services.seed import sales_seed
from relata.sales.services.settings import (
    loss_reason_save,
    pipeline_create,
    pipeline_delete,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_update,
    stages_reorder,
)

SETTINGS_EVENTS = ("pipeline.", "stage.", "loss_reason.")


def default_pipeline(member: Membership) -> Pipeline:
    return Pipeline.objects.filter(workspace_id=member.workspace_id).order_by("position", "id").first()  # type: ignore[return-value]


def stages_of(pipeline: Pipeline) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))


def make_deal(member: Membership, stage: Stage, status: str = DealStatus.OPEN) -> Deal:
    now = timezone.now()
    reason = LossReason.objects.filter(workspace_id=member.workspace_id).first() if status == DealStatus.LOST else None
    deal = Deal.objects.create(
        workspace_id=member.workspace_id,
        owner=member.user,
        created_by=member.user,
        title="Кирпич М150",
        pipeline=stage.pipeline,
        stage=stage,
        status=status,
        currency="RUB",
        stage_entered_at=now,
        closed_at=None if status == DealStatus.OPEN else now,
        loss_reason=reason,
    )
    StageVisit.objects.create(
        workspace_id=member.workspace_id,
        deal=deal,
        stage=stage,
        entered_at=now,
        entered_by=member.user,
        left_at=None if status == DealStatus.OPEN else now,
    )
    return deal


def settings_events() -> int:
    return sum(Event.objects.filter(kind__startswith=prefix).count() for prefix in SETTINGS_EVENTS)


def conveyor(member: Membership, name: str = "Опт") -> Pipeline:
    return pipeline_create(member, values={"name": name, "mode": "conveyor"})


def error_of(raised: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(raised.value.message_dict[field])


# --- What a workspace starts with ----------------------------------------------------


def test_a_new_workspace_has_the_default_pipeline_and_the_builtin_reasons_once(personas):
    admin = personas.admin
    pipeline = default_pipeline(admin)
    assert pipeline.name == "Sales" and pipeline.mode == "parallel" and pipeline.is_active
    assert [(s.name, s.probability) for s in stages_of(pipeline)] == [
        ("New", 10),
        ("Qualification", 20),
        ("Commercial offer", 40),
        ("Negotiation", 60),
        ("Contract and invoice", 80),
    ]
    reasons = LossReason.objects.filter(workspace_id=admin.workspace_id)
    assert {r.key for r in reasons} >= {"price", "competitor", "no_budget"}
    counts = Pipeline.objects.count(), Stage.objects.count(), LossReason.objects.count()
    sales_seed(admin.workspace)
    assert (Pipeline.objects.count(), Stage.objects.count(), LossReason.objects.count()) == counts


# --- Pipelines -----------------------------------------------------------------------


def test_create_a_pipeline_placed_last_and_change_it(personas):
    admin = personas.admin
    created = conveyor(admin)
    assert created.position > default_pipeline(admin).position and created.is_conveyor and created.version == 1
    changed = pipeline_update(
        admin, created.pk, version=1, values={"name": "Опт и дилеры", "position": 1, "is_active": False}
    )
    assert (changed.name, changed.position, changed.is_active, changed.version) == ("Опт и дилеры", 1, False, 2)
    created.refresh_from_db()
    assert created.name == "Опт и дилеры" and created.mode == "conveyor"  # not sent, not changed
    event = Event.objects.get(kind="pipeline.changed", target_id=created.pk)
    assert event.changes["name"] == ["Опт", "Опт и дилеры"] and "mode" not in event.changes
    assert Event.objects.filter(kind="pipeline.created", target_id=created.pk).exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name"),
        ({"name": "   "}, "name", "Enter a name"),
        ({"name": "sALES"}, "name", "Another pipeline has this name"),
        ({"name": "x" * 101}, "name", "At most 100"),
        ({"name": "Опт", "mode": "relay"}, "mode", "parallel or conveyor"),
        ({"name": "Опт", "position": -1}, "position", "from 0 to 32767"),
        ({"name": "Опт", "position": 40000}, "position", "from 0 to 32767"),
        ({"name": "Опт", "position": "first"}, "position", "whole number"),
        ({"name": "Опт", "is_active": "yes"}, "is_active", "yes or no"),
        ({"name": "Опт", "version": 3}, "version", "cannot be changed"),
    ],
)
def test_a_bad_pipeline_is_refused_naming_the_field_and_nothing_is_written(personas, values, field, message):
    before = Pipeline.objects.count(), settings_events()
    with pytest.raises(ValidationError) as raised:
        pipeline_create(personas.admin, values=values)
    assert message in error_of(raised, field)
    assert (Pipeline.objects.count(), settings_events()) == before


def test_pipeline_names_are_unique_in_any_case_and_alphabet_within_the_workspace(personas):
    admin = personas.admin
    conveyor(admin, "Розница")
    with pytest.raises(ValidationError) as raised:
        pipeline_create(admin, values={"name": "РОЗНИЦА"})
    assert "Another pipeline" in error_of(raised, "name")
    other = pipeline_create(personas.other, values={"name": "Розница"})  # another workspace: its own names
    assert other.workspace_id == personas.other.workspace_id


def test_a_stale_pipeline_save_is_refused_with_the_other_users_values(personas):
    admin = personas.admin
    pipeline = conveyor(admin)
    pipeline_update(admin, pipeline.pk, version=1, values={"name": "Опт (их)"})
    with pytest.raises(StaleVersion) as raised:
        pipeline_update(admin, pipeline.pk, version=1, values={"name": "Опт (мой)", "mode": "parallel"})
    assert raised.value.theirs == {"name": "Опт (их)", "mode": "conveyor"} and raised.value.current_version == 2
    pipeline.refresh_from_db()
    assert (pipeline.name, pipeline.mode, pipeline.version) == ("Опт (их)", "conveyor", 2)


def test_the_last_pipeline_in_use_stays_in_use(personas):
    admin = personas.admin
    pipeline = default_pipeline(admin)
    with pytest.raises(ValidationError) as raised:
        pipeline_update(admin, pipeline.pk, version=pipeline.version, values={"is_active": False})
    assert "At least one pipeline must stay in use" in error_of(raised, "is_active")
    with pytest.raises(ValidationError) as raised:
        pipeline_delete(admin, pipeline.pk)
    assert "only pipeline in use" in error_of(raised, "pipeline")
    pipeline.refresh_from_db()
    assert pipeline.is_active and pipeline.version == 1 and Stage.objects.filter(pipeline=pipeline).count() == 5
    # With a second pipeline in use, the first may leave use.
    conveyor(admin)
    pipeline_update(admin, pipeline.pk, version=1, values={"is_active": False})
    pipeline.refresh_from_db()
    assert not pipeline.is_active


def test_a_pipeline_with_deals_or_stage_history_is_not_deleted(personas):
    admin = personas.admin
    pipeline = conveyor(admin)
    first = stage_create(admin, pipeline.pk, values={"name": "Звонок"})
    deal = make_deal(personas.manager1, first, DealStatus.WON)
    with pytest.raises(ValidationError) as raised:
        pipeline_delete(admin, pipeline.pk)
    assert (
        error_of(raised, "pipeline") == "The pipeline has 1 deal, so it cannot be deleted; take it out of use instead."
    )
    # The deal went on to another pipeline, its history still names the stage.
    Deal.objects.filter(pk=deal.pk).update(
        pipeline=default_pipeline(admin), stage=stages_of(default_pipeline(admin))[0]
    )
    with pytest.raises(ValidationError) as raised:
        pipeline_delete(admin, pipeline.pk)
    assert "keep them in their history" in error_of(raised, "pipeline")
    assert Pipeline.objects.filter(pk=pipeline.pk).exists() and Stage.objects.filter(pk=first.pk).exists()
    assert not Event.objects.filter(kind="pipeline.deleted").exists()


def test_deleting_a_pipeline_deletes_its_stages(personas):
    admin = personas.admin
    pipeline = conveyor(admin)
    stage_create(admin, pipeline.pk, values={"name": "Звонок"})
    pipeline_delete(admin, pipeline.pk)
    assert not Pipeline.objects.filter(pk=pipeline.pk).exists()
    assert not Stage.objects.filter(pipeline_id=pipeline.pk).exists()
    assert Event.objects.get(kind="pipeline.deleted", target_id=pipeline.pk).changes["name"] == ["Опт", None]


def test_switching_to_parallel_takes_the_teams_off_the_stages(personas):
    admin = personas.admin
    pipeline = conveyor(admin)
    stage = stage_create(admin, pipeline.pk, values={"name": "Сделка", "team": personas.north.pk})
    pipeline_update(admin, pipeline.pk, version=1, values={"mode": "parallel"})
    stage.refresh_from_db()
    assert stage.team_id is None
    event = Event.objects.get(kind="pipeline.changed", target_id=pipeline.pk)
    assert event.changes["mode"] == ["conveyor", "parallel"] and event.data["teams_removed"] == {"Сделка": "North"}


# --- Stages --------------------------------------------------------------------------


def test_add_stages_last_with_required_fields_and_a_team(personas):
    admin = personas.admin
    pipeline = conveyor(admin)
    first = stage_create(admin, pipeline.pk, values={"name": "Холодный звонок", "probability": 5})
    second = stage_create(
        admin,
        pipeline.pk,
        values={
            "name": "Встреча",
            "required_fields": ["amount", "client", "amount"],
            "team": personas.south.pk,
            "handoff": "least_loaded",
        },
    )
    assert stages_of(pipeline) == [first, second] and second.position > first.position
    second.refresh_from_db()
    assert second.required_fields == ["client", "amount"]  # the form's order, once each
    assert (second.team_id, second.handoff, second.probability) == (personas.south.pk, "least_loaded", 10)
    assert second.required_labels() == ["Client", "Amount"]
    event = Event.objects.get(kind="stage.created", target_id=second.pk)
    assert event.data == {"pipeline": "Опт"} and event.changes["team"] == [None, personas.south.pk]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name"),
        ({"name": "new"}, "name", "already has a stage with this name"),
        ({"name": "Ок", "probability": 101}, "probability", "from 0 to 100"),
        ({"name": "Ок", "probability": -5}, "probability", "from 0 to 100"),
        ({"name": "Ок", "probability": "half"}, "probability", "from 0 to 100"),
        ({"name": "Ок", "probability": True}, "probability", "from 0 to 100"),
        ({"name": "Ок", "required_fields": ["amount", "budget"]}, "required_fields", "“budget” is not a field"),
        ({"name": "Ок", "required_fields": "amount"}, "required_fields", "list of fields"),
        ({"name": "Ок", "team": "north"}, "team", "Only stages of a conveyor pipeline"),
        ({"name": "Ок", "handoff": "random"}, "handoff", "shared out"),
        ({"name": "Ок", "last_handoff_user": 1}, "last_handoff_user", "cannot be changed"),
    ],
)
def test_a_bad_stage_is_refused_naming_the_field_and_nothing_is_written(personas, values, field, message):
    admin = personas.admin
    pipeline = default_pipeline(admin)  # parallel
    if values.get("team") == "north":
        values = {**values, "team": personas.north.pk}
    before = Stage.objects.count(), settings_events()
    with pytest.raises(ValidationError) as raised:
        stage_create(admin, pipeline.pk, values=values)
    assert message in error_of(raised, field)
    assert (Stage.objects.count(), settings_events()) == before


def test_a_stage_of_a_parallel_pipeline_has_no_team(personas):
    admin = personas.admin
    stage = stages_of(default_pipeline(admin))[1]
    with pytest.raises(ValidationError) as raised:
        stage_update(admin, stage.pk, values={"team": personas.north.pk})
    assert error_of(raised, "team") == (
        "Only stages of a conveyor pipeline hand deals to a team; switch the pipeline to conveyor sales first."
    )
    stage.refresh_from_db()
    assert stage.team_id is None


def test_a_team_of_another_workspace_is_refused(personas):
    admin = personas.admin
    pipeline = conveyor(admin)
    foreign = Team.objects.create(workspace=personas.other.workspace, name="Beta team")
    with pytest.raises(ValidationError) as raised:
        stage_create(admin, pipeline.pk, values={"name": "Звонок", "team": foreign.pk})
    assert "team of this workspace" in error_of(raised, "team")
    assert not Stage.objects.filter(pipeline=pipeline).exists()


def test_change_a_stage_keeps_what_is_not_sent(personas):
    admin = personas.admin
    stage = stages_of(default_pipeline(admin))[2]
    stage_update(admin, stage.pk, values={"probability": 45, "required_fields": ["amount"]})
    stage.refresh_from_db()
    assert (stage.name, stage.probability, stage.required_fields) == ("Commercial offer", 45, ["amount"])
    assert Event.objects.get(kind="stage.changed", target_id=stage.pk).changes == {
        "probability": [40, 45],
        "required_fields": [[], ["amount"]],
    }
    with pytest.raises(ValidationError):
        stage_update(admin, stage.pk, values={"name": "NEGOTIATION"})
    stage.refresh_from_db()
    assert stage.name == "Commercial offer"


def test_a_stage_with_deals_is_not_deleted_and_the_message_says_how_many(personas):
    admin = personas.admin
    stage = stages_of(default_pipeline(admin))[1]
    make_deal(personas.manager1, stage)
    make_deal(personas.manager2, stage)
    with pytest.raises(ValidationError) as raised:
        stage_delete(admin, stage.pk)
    assert error_of(raised, "stage") == "2 open deals are in this stage: move them to another stage first."
    Deal.objects.filter(stage=stage).delete()
    make_deal(personas.manager1, stage, DealStatus.LOST)
    with pytest.raises(ValidationError) as raised:
        stage_delete(admin, stage.pk)
    assert "1 deal was won or lost in this stage" in error_of(raised, "stage")
    Deal.objects.filter(stage=stage).update(stage=stages_of(default_pipeline(admin))[0])
    with pytest.raises(ValidationError) as raised:
        stage_delete(admin, stage.pk)
    assert "keep it in their history" in error_of(raised, "stage")
    assert Stage.objects.filter(pk=stage.pk).exists() and not Event.objects.filter(kind="stage.deleted").exists()


def test_the_last_stage_of_a_pipeline_is_not_deleted(personas):
    admin = personas.admin
    pipeline = conveyor(admin)
    first = stage_create(admin, pipeline.pk, values={"name": "Звонок"})
    second = stage_create(admin, pipeline.pk, values={"name": "Встреча"})
    stage_delete(admin, first.pk)
    assert stages_of(pipeline) == [second]
    assert Event.objects.get(kind="stage.deleted", target_id=first.pk).data == {"pipeline": "Опт"}
    with pytest.raises(ValidationError) as raised:
        stage_delete(admin, second.pk)
    assert error_of(raised, "stage") == "A pipeline needs at least one stage; this is the last one of “Опт”."
    assert stages_of(pipeline) == [second]


def test_reorder_the_stages(personas):
    admin = personas.admin
    pipeline = default_pipeline(admin)
    stages = stages_of(pipeline)
    wanted = [stages[1].pk, stages[0].pk, *[s.pk for s in stages[2:]]]
    ordered = stages_reorder(admin, pipeline.pk, stage_ids=[str(pk) for pk in wanted])
    assert [s.pk for s in ordered] == wanted == [s.pk for s in stages_of(pipeline)]
    event = Event.objects.get(kind="pipeline.stages_reordered", target_id=pipeline.pk)
    assert event.changes == {"stages": [[s.pk for s in stages], wanted]}


@pytest.mark.parametrize(
    "change",
    [
        lambda ids, other: ids[:-1],  # one missing
        lambda ids, other: [*ids, ids[0]],  # one twice
        lambda ids, other: [*ids[:-1], other],  # a stage of another pipeline
        lambda ids, other: ["x", *ids[1:]],
        lambda ids, other: ids[0],  # not a list
    ],
)
def test_a_bad_order_is_refused_and_nothing_moves(personas, change):
    admin = personas.admin
    pipeline = default_pipeline(admin)
    other = stage_create(admin, conveyor(admin).pk, values={"name": "Звонок"})
    positions = [(s.pk, s.position) for s in stages_of(pipeline)]
    ids = [pk for pk, _ in positions][::-1]
    with pytest.raises(ValidationError) as raised:
        stages_reorder(admin, pipeline.pk, stage_ids=change(ids, other.pk))
    assert "every stage of this pipeline once" in error_of(raised, "stage_ids")
    assert [(s.pk, s.position) for s in stages_of(pipeline)] == positions
    assert not Event.objects.filter(kind="pipeline.stages_reordered").exists()


# --- Loss reasons --------------------------------------------------------------------


def test_rename_a_builtin_reason_give_its_name_back_and_add_ones_own(personas):
    admin = personas.admin
    price = LossReason.objects.get(workspace_id=admin.workspace_id, key="price")
    loss_reason_save(admin, price.pk, name="Дорого", position=1)
    price.refresh_from_db()
    assert (price.display_name, price.position) == ("Дорого", 1)
    loss_reason_save(admin, price.pk, name="")
    price.refresh_from_db()
    assert price.name == "" and price.display_name == "Price too high"
    own = loss_reason_save(admin, name="Ушли к дилеру")
    top = max(r.position for r in LossReason.objects.filter(workspace_id=admin.workspace_id).exclude(pk=own.pk))
    assert own.key == "" and own.is_active and own.position > top
    assert Event.objects.filter(kind="loss_reason.saved").count() == 3


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name"),
        ({"name": "price TOO high"}, "name", "already taken"),
        ({"name": "x" * 101}, "name", "At most 100"),
        ({"name": "Ок", "position": -1}, "position", "from 0 to 32767"),
        ({"name": "Ок", "is_active": None, "key": "price"}, "key", "cannot be changed"),
    ],
)
def test_a_bad_loss_reason_is_refused_and_nothing_is_written(personas, values, field, message):
    before = LossReason.objects.count(), settings_events()
    with pytest.raises(ValidationError) as raised:
        loss_reason_save(personas.admin, **values)
    assert message in error_of(raised, field)
    assert (LossReason.objects.count(), settings_events()) == before


def test_at_least_one_loss_reason_stays_in_use(personas):
    admin = personas.admin
    reasons = list(LossReason.objects.filter(workspace_id=admin.workspace_id).order_by("position", "id"))
    for reason in reasons[1:]:
        loss_reason_save(admin, reason.pk, is_active=False)
    with pytest.raises(ValidationError) as raised:
        loss_reason_save(admin, reasons[0].pk, is_active=False)
    assert "At least one loss reason" in error_of(raised, "is_active")
    reasons[0].refresh_from_db()
    assert reasons[0].is_active


# --- Who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["head", "manager1", "readonly"])
def test_only_administrators_change_the_settings(personas, persona):
    member = getattr(personas, persona)
    pipeline = default_pipeline(personas.admin)
    stage = stages_of(pipeline)[0]
    before = Pipeline.objects.count(), Stage.objects.count(), settings_events()
    for call in (
        lambda: pipeline_create(member, values={"name": "Мой"}),
        lambda: pipeline_update(member, pipeline.pk, version=1, values={"name": "Мой"}),
        lambda: stage_create(member, pipeline.pk, values={"name": "Мой"}),
        lambda: stage_delete(member, stage.pk),
        lambda: loss_reason_save(member, name="Мой"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert (Pipeline.objects.count(), Stage.objects.count(), settings_events()) == before


def test_another_workspaces_records_do_not_exist_for_its_administrator(personas):
    other = personas.other
    pipeline = default_pipeline(personas.admin)
    stage = stages_of(pipeline)[0]
    for call in (
        lambda: pipeline_update(other, pipeline.pk, version=1, values={"name": "Взлом"}),
        lambda: pipeline_delete(other, pipeline.pk),
        lambda: stage_create(other, pipeline.pk, values={"name": "Взлом"}),
        lambda: stage_update(other, stage.pk, values={"name": "Взлом"}),
        lambda: stage_delete(other, stage.pk),
        lambda: stages_reorder(other, pipeline.pk, stage_ids=[stage.pk]),
    ):
        with pytest.raises(Http404):
            call()
    stage.refresh_from_db()
    assert stage.name == "New" and Stage.objects.filter(pipeline=pipeline).count() == 5


def _sales_off(member: Membership) -> Membership:
    workspace = member.workspace
    workspace.enabled_modules = [m for m in workspace.enabled_modules if m != "sales"]
    workspace.save()
    return Membership.objects.select_related("workspace", "role", "user").get(pk=member.pk)


def test_with_sales_switched_off_its_settings_do_not_exist(personas, client_as, api_as):
    admin = _sales_off(personas.admin)
    with pytest.raises(Http404):
        pipeline_create(admin, values={"name": "Опт"})
    assert client_as(admin).get("/sales/settings/pipelines/").status_code == 404
    assert client_as(admin).get("/sales/settings/loss-reasons/").status_code == 404
    assert api_as(admin).get("/api/v1/pipelines").status_code == 404
    assert api_as(admin).post("/api/v1/pipelines", {"name": "Опт"}).status_code == 404
    menu = client_as(admin).get("/activities/settings/outcomes/").content.decode()
    assert "/sales/settings/pipelines/" not in menu and Pipeline.objects.filter(name="Опт").count() == 0


# --- Pages ----------------------------------------------------------------------------


def test_the_overview_counts_open_deals_per_stage_in_three_queries(personas, django_assert_num_queries):
    admin = personas.admin
    stages = stages_of(default_pipeline(admin))
    make_deal(personas.manager1, stages[1])
    make_deal(personas.manager2, stages[1])
    make_deal(personas.manager1, stages[1], DealStatus.WON)
    second = conveyor(admin)
    stage_create(admin, second.pk, values={"name": "Звонок", "team": personas.north.pk})
    with django_assert_num_queries(3):
        rows = pipelines_overview(admin)
        teams = [s.stage.team.name if s.stage.team else None for row in rows for s in row.stages]
    assert [row.pipeline.name for row in rows] == ["Sales", "Опт"] and "North" in teams
    assert [(s.open_deals, s.deals) for s in rows[0].stages][:3] == [(0, 0), (2, 3), (0, 0)]
    assert rows[0].open_deals == 2 and rows[1].stages[0].open_deals == 0


def test_pipelines_page_lists_pipelines_and_their_stages(personas, client_as):
    admin = personas.admin
    make_deal(personas.manager1, stages_of(default_pipeline(admin))[0])
    conveyor(admin, "Дилеры")
    page = client_as(admin).get("/sales/settings/pipelines/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="pipeline-card"') == 2 and "Commercial offer" in body and "Дилеры" in body
    assert "1 open deal" in body and 'data-testid="pipeline-no-stages"' in body and "conveyor" in body
    assert 'class="nav-link active" href="/sales/settings/pipelines/"' in body


def test_create_a_pipeline_on_its_page_then_add_its_stages(personas, client_as):
    client = client_as(personas.admin)
    assert client.get("/sales/settings/pipelines/new/").status_code == 200
    response = client.post("/sales/settings/pipelines/new/", {"name": "Опт", "mode": "conveyor", "is_active": "on"})
    pipeline = Pipeline.objects.get(name="Опт")
    assert response.status_code == 302 and response["Location"] == f"/sales/settings/pipelines/{pipeline.pk}/stages/"
    assert pipeline.is_conveyor and pipeline.is_active
    page = client.get(response["Location"]).content.decode()
    assert "now add its stages" in page and 'data-testid="stage-empty"' in page


def test_the_pipeline_form_shows_field_errors_and_writes_nothing(personas, client_as):
    client = client_as(personas.admin)
    before = Pipeline.objects.count()
    response = client.post("/sales/settings/pipelines/new/", {"name": "sales", "mode": "parallel"})
    assert response.status_code == 400
    assert "Another pipeline has this name" in str(response.context["form"].errors["name"])
    response = client.post("/sales/settings/pipelines/new/", {"name": "Опт", "mode": "relay"})
    assert response.status_code == 400 and "mode" in response.context["form"].errors
    assert Pipeline.objects.count() == before


def test_a_stale_pipeline_form_shows_the_other_users_values(personas, client_as):
    admin = personas.admin
    pipeline = default_pipeline(admin)
    client = client_as(admin)
    edit = client.get(f"/sales/settings/pipelines/{pipeline.pk}/").content.decode()
    assert 'name="version"' in edit and "Stages of this pipeline" in edit
    pipeline_update(admin, pipeline.pk, version=1, values={"name": "Продажи (их)"})
    response = client.post(
        f"/sales/settings/pipelines/{pipeline.pk}/",
        {"version": "1", "name": "Продажи (мои)", "mode": "parallel", "position": "10", "is_active": "on"},
    )
    body = response.content.decode()
    assert response.status_code == 409 and 'data-testid="conflict"' in body and "Продажи (их)" in body
    pipeline.refresh_from_db()
    assert pipeline.name == "Продажи (их)" and pipeline.version == 2


def test_deleting_a_pipeline_from_its_page(personas, client_as):
    admin = personas.admin
    client = client_as(admin)
    spare = conveyor(admin)
    response = client.post(f"/sales/settings/pipelines/{spare.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/sales/settings/pipelines/"
    assert not Pipeline.objects.filter(pk=spare.pk).exists()
    only = default_pipeline(admin)
    response = client.post(f"/sales/settings/pipelines/{only.pk}/delete/", follow=True)
    assert "only pipeline in use" in response.content.decode()
    assert Pipeline.objects.filter(pk=only.pk).exists()


def test_stage_form_of_a_conveyor_pipeline_has_team_and_hand_off(personas, client_as):
    admin = personas.admin
    client = client_as(admin)
    parallel = client.get(f"/sales/settings/pipelines/{default_pipeline(admin).pk}/stages/new/").content.decode()
    assert 'name="required_fields"' in parallel and 'name="team"' not in parallel and "stage-parallel" in parallel
    pipeline = conveyor(admin)
    page = client.get(f"/sales/settings/pipelines/{pipeline.pk}/stages/new/").content.decode()
    assert 'name="team"' in page and 'name="handoff"' in page and "North" in page
    response = client.post(
        f"/sales/settings/pipelines/{pipeline.pk}/stages/new/",
        {
            "name": "Встреча",
            "probability": "30",
            "required_fields": ["client", "contacts"],
            "team": str(personas.north.pk),
            "handoff": "least_loaded",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/sales/settings/pipelines/{pipeline.pk}/stages/"
    stage = Stage.objects.get(pipeline=pipeline)
    assert (stage.probability, stage.required_fields, stage.team_id, stage.handoff) == (
        30,
        ["client", "contacts"],
        personas.north.pk,
        "least_loaded",
    )
    listing = client.get(response["Location"]).content.decode()
    assert "Client, Contact persons" in listing and "North" in listing


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "probability": "10"}, "name", "This field is required"),
        ({"name": "new", "probability": "10"}, "name", "already has a stage"),
        ({"name": "Ок", "probability": "150"}, "probability", "less than or equal to 100"),
        ({"name": "Ок", "probability": "10", "required_fields": ["budget"]}, "required_fields", "budget"),
    ],
)
def test_the_stage_form_shows_field_errors_and_adds_nothing(personas, client_as, data, field, message):
    pipeline = default_pipeline(personas.admin)
    before = Stage.objects.count()
    response = client_as(personas.admin).post(f"/sales/settings/pipelines/{pipeline.pk}/stages/new/", data)
    assert response.status_code == 400
    assert message in " ".join(str(e) for e in response.context["form"].errors[field])
    assert Stage.objects.count() == before


def test_edit_a_stage_on_its_page(personas, client_as):
    admin = personas.admin
    stage = stages_of(default_pipeline(admin))[3]
    make_deal(personas.manager1, stage)
    client = client_as(admin)
    page = client.get(f"/sales/settings/stages/{stage.pk}/").content.decode()
    assert 'value="Negotiation"' in page and "1 deal is in this stage (1 open)" in page
    assert 'class="nav-link active" href="/sales/settings/pipelines/"' in page
    response = client.post(
        f"/sales/settings/stages/{stage.pk}/",
        {"name": "Переговоры", "probability": "65", "required_fields": ["amount", "expected_close_date"]},
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert (stage.name, stage.probability, stage.required_fields) == (
        "Переговоры",
        65,
        ["amount", "expected_close_date"],
    )


def test_move_stages_up_and_down(personas, client_as):
    admin = personas.admin
    pipeline = default_pipeline(admin)
    first, second, *_ = stages_of(pipeline)
    client = client_as(admin)
    response = client.post(f"/sales/settings/stages/{first.pk}/move/", {"direction": "down"})
    assert response.status_code == 302 and response["Location"] == f"/sales/settings/pipelines/{pipeline.pk}/stages/"
    assert stages_of(pipeline)[:2] == [second, first]
    partial = client.post(
        f"/sales/settings/stages/{first.pk}/move/", {"direction": "up"}, headers={"HX-Request": "true"}
    )
    body = partial.content.decode()
    assert partial.status_code == 200 and 'id="stage-table"' in body and "<html" not in body
    assert stages_of(pipeline)[:2] == [first, second]
    # The first stage cannot go further up: nothing changes.
    client.post(f"/sales/settings/stages/{first.pk}/move/", {"direction": "up"})
    assert stages_of(pipeline)[:2] == [first, second]
    assert Event.objects.filter(kind="pipeline.stages_reordered").count() == 2


def test_deleting_stages_on_the_page_shows_why_not(personas, client_as):
    admin = personas.admin
    pipeline = default_pipeline(admin)
    stages = stages_of(pipeline)
    make_deal(personas.manager1, stages[0])
    client = client_as(admin)
    response = client.post(f"/sales/settings/stages/{stages[0].pk}/delete/", follow=True)
    assert "1 open deal is in this stage: move it to another stage first." in response.content.decode()
    response = client.post(f"/sales/settings/stages/{stages[4].pk}/delete/", follow=True)
    assert "has been deleted" in response.content.decode()
    assert stages_of(pipeline) == stages[:4]


def test_loss_reasons_pages(personas, client_as):
    admin = personas.admin
    client = client_as(admin)
    price = LossReason.objects.get(workspace_id=admin.workspace_id, key="price")
    page = client.get("/sales/settings/loss-reasons/").content.decode()
    assert "Price too high" in page and page.count('data-testid="loss-reason-row"') == 6 and "built-in" in page
    edit = client.get(f"/sales/settings/loss-reasons/{price.pk}/").content.decode()
    assert "Leave empty to keep the built-in name “Price too high”" in edit
    response = client.post(
        f"/sales/settings/loss-reasons/{price.pk}/", {"name": "Дорого", "position": "5", "is_active": "on"}
    )
    assert response.status_code == 302 and response["Location"] == "/sales/settings/loss-reasons/"
    price.refresh_from_db()
    assert (price.display_name, price.position) == ("Дорого", 5)
    response = client.post("/sales/settings/loss-reasons/new/", {"name": "Ушли к дилеру", "is_active": "on"})
    assert response.status_code == 302
    clash = client.post("/sales/settings/loss-reasons/new/", {"name": "ушли К ДИЛЕРУ", "is_active": "on"})
    assert clash.status_code == 400 and "already taken" in str(clash.context["form"].errors["name"])
    assert LossReason.objects.filter(workspace_id=admin.workspace_id, key="").count() == 1


def test_only_administrators_reach_the_pages(personas, client_as):
    pipeline = default_pipeline(personas.admin)
    stage = stages_of(pipeline)[0]
    for url in ("/sales/settings/pipelines/", f"/sales/settings/pipelines/{pipeline.pk}/stages/"):
        assert client_as(personas.head).get(url).status_code == 403
        assert client_as(personas.readonly).get(url).status_code == 403
    assert client_as(None).get("/sales/settings/loss-reasons/").status_code == 302
    other = client_as(personas.other)
    assert other.get(f"/sales/settings/stages/{stage.pk}/").status_code == 404
    assert other.post(f"/sales/settings/stages/{stage.pk}/", {"name": "Взлом", "probability": "1"}).status_code == 404
    assert other.post(f"/sales/settings/stages/{stage.pk}/delete/").status_code == 404
    stage.refresh_from_db()
    assert stage.name == "New" and Stage.objects.filter(pipeline=pipeline).count() == 5


# --- API ------------------------------------------------------------------------------


def test_api_lists_pipelines_with_stages_to_readers(personas, api_as):
    admin = personas.admin
    pipeline = conveyor(admin)
    stage_create(
        admin, pipeline.pk, values={"name": "Звонок", "team": personas.north.pk, "required_fields": ["amount"]}
    )
    listing = api_as(personas.readonly).get("/api/v1/pipelines").json()
    assert [p["name"] for p in listing["items"]] == ["Sales", "Опт"] and listing["count"] == 2
    first = listing["items"][0]
    assert first["mode"] == "parallel" and first["version"] == 1
    assert [s["name"] for s in first["stages"]][:2] == ["New", "Qualification"]
    stage = listing["items"][1]["stages"][0]
    assert stage["team"] == {"id": personas.north.pk, "name": "North"} and stage["required_fields"] == ["amount"]
    assert stage["handoff"] == "round_robin" and stage["pipeline_id"] == pipeline.pk
    in_use = api_as(personas.manager1).get("/api/v1/pipelines", {"is_active": "true"}).json()["items"]
    assert len(in_use) == 2
    one = api_as(personas.manager2).get(f"/api/v1/pipelines/{pipeline.pk}").json()
    assert one["name"] == "Опт" and len(one["stages"]) == 1
    other = api_as(personas.other).get("/api/v1/pipelines").json()["items"]
    assert [p["name"] for p in other] == ["Sales"] and other[0]["id"] != first["id"]
    assert api_as(personas.other).get(f"/api/v1/pipelines/{pipeline.pk}").status_code == 404


def test_api_creates_changes_and_deletes_pipelines(personas, api_as):
    api = api_as(personas.admin)
    created = api.post("/api/v1/pipelines", {"name": "Опт", "mode": "conveyor"})
    assert created.status_code == 201
    body = created.json()
    assert body["mode"] == "conveyor" and body["stages"] == [] and body["is_active"] is True
    changed = api.patch(f"/api/v1/pipelines/{body['id']}", {"version": 1, "name": "Опт и дилеры", "position": 3})
    assert changed.status_code == 200 and changed.json()["version"] == 2 and changed.json()["mode"] == "conveyor"
    stale = api.patch(f"/api/v1/pipelines/{body['id']}", {"version": 1, "name": "Мой"})
    error = stale.json()["error"]
    assert stale.status_code == 409 and error["code"] == "conflict" and error["current_version"] == 2
    assert error["changed_by_others"] == {"name": "Опт и дилеры"}
    bad = api.post("/api/v1/pipelines", {"name": "sales"})
    assert bad.status_code == 422 and "name" in bad.json()["error"]["fields"]
    assert api.delete(f"/api/v1/pipelines/{body['id']}").status_code == 204
    assert not Pipeline.objects.filter(pk=body["id"]).exists()
    last = default_pipeline(personas.admin)
    refused = api.delete(f"/api/v1/pipelines/{last.pk}")
    assert refused.status_code == 422 and "only pipeline in use" in refused.json()["error"]["message"]


def test_api_adds_changes_reorders_and_deletes_stages(personas, api_as):
    admin = personas.admin
    api = api_as(admin)
    pipeline = conveyor(admin)
    added = api.post(
        f"/api/v1/pipelines/{pipeline.pk}/stages",
        {"name": "Звонок", "probability": 15, "required_fields": ["client"], "team_id": personas.south.pk},
    )
    assert added.status_code == 201 and added.json()["team"]["name"] == "South"
    second = api.post(f"/api/v1/pipelines/{pipeline.pk}/stages", {"name": "Встреча"}).json()
    assert second["probability"] == 10 and second["team"] is None and second["handoff"] == "round_robin"
    stage_id = added.json()["id"]
    changed = api.patch(f"/api/v1/stages/{stage_id}", {"team_id": None, "probability": 25}).json()
    assert changed["team"] is None and changed["probability"] == 25 and changed["required_fields"] == ["client"]
    order = api.post(f"/api/v1/pipelines/{pipeline.pk}/stages/order", {"stage_ids": [second["id"], stage_id]})
    assert order.status_code == 200 and [s["id"] for s in order.json()["stages"]] == [second["id"], stage_id]
    bad_order = api.post(f"/api/v1/pipelines/{pipeline.pk}/stages/order", {"stage_ids": [stage_id]})
    assert bad_order.status_code == 422 and "stage_ids" in bad_order.json()["error"]["fields"]
    assert api.delete(f"/api/v1/stages/{stage_id}").status_code == 204
    last = api.delete(f"/api/v1/stages/{second['id']}")
    assert last.status_code == 422 and "at least one stage" in last.json()["error"]["fields"]["stage"][0]
    assert [s.pk for s in stages_of(pipeline)] == [second["id"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Ок", "team_id": -1}, "team_id"),
        ({"name": "Ок", "required_fields": ["budget"]}, "required_fields"),
        ({"name": "Ок", "probability": 101}, "probability"),
        ({"name": "Ок", "handoff": "random"}, "handoff"),
        ({"name": ""}, "name"),
        ({"probability": 5}, "name"),
    ],
)
def test_api_refuses_a_bad_stage_naming_the_field(personas, api_as, payload, field):
    pipeline = conveyor(personas.admin)
    response = api_as(personas.admin).post(f"/api/v1/pipelines/{pipeline.pk}/stages", payload)
    assert response.status_code == 422 and field in response.json()["error"]["fields"]
    assert not Stage.objects.filter(pipeline=pipeline).exists()


def test_api_team_on_a_parallel_pipelines_stage_is_named_as_sent(personas, api_as):
    stage = stages_of(default_pipeline(personas.admin))[0]
    response = api_as(personas.admin).patch(f"/api/v1/stages/{stage.pk}", {"team_id": personas.north.pk})
    assert response.status_code == 422 and "conveyor" in response.json()["error"]["fields"]["team_id"][0]


def test_api_loss_reasons(personas, api_as):
    reader = api_as(personas.readonly)
    listing = reader.get("/api/v1/loss-reasons").json()["items"]
    price = next(r for r in listing if r["key"] == "price")
    assert price["name"] == "Price too high" and price["given_name"] == ""
    api = api_as(personas.admin)
    created = api.post("/api/v1/loss-reasons", {"name": "Ушли к дилеру"})
    assert created.status_code == 201 and created.json()["key"] == ""
    renamed = api.patch(f"/api/v1/loss-reasons/{price['id']}", {"name": "Дорого"}).json()
    assert renamed["name"] == renamed["given_name"] == "Дорого"
    back = api.patch(f"/api/v1/loss-reasons/{price['id']}", {"name": ""}).json()
    assert back["name"] == "Price too high" and back["given_name"] == ""
    retired = api.patch(f"/api/v1/loss-reasons/{created.json()['id']}", {"is_active": False}).json()
    assert retired["is_active"] is False and retired["name"] == "Ушли к дилеру"
    clash = api.post("/api/v1/loss-reasons", {"name": "no BUDGET"})
    assert clash.status_code == 422 and "name" in clash.json()["error"]["fields"]
    assert reader.post("/api/v1/loss-reasons", {"name": "Моя"}).status_code == 403
    assert len(reader.get("/api/v1/loss-reasons", {"is_active": "true"}).json()["items"]) == 6
