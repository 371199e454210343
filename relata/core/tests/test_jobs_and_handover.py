"""Background jobs (claiming, progress, cancellation, recovery) and the hand-over that
runs as one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from relata.core import jobs
from relata.core.jobs import JobContext, job_handler
from relata.core.models import Event, Job, JobState, Membership
from relata.core.services.handover import handover_start, recipient_for
from relata.core.services.jobs import job_cancel, job_start
from relata.core.tasks import jobs_recover_stalled
from relata.core.tests.sample.models import Account, Opportunity

CALLS: list[int] = []


@job_handler("tests.count", "Counting")
def counting_job(actor: Membership, context: JobContext) -> dict:
    total = int(context.params["n"])
    for i in range(total):
        CALLS.append(i)
        context.progress(i + 1, total, force=True)
    return {"counted": total, "by": actor.user.email}


@job_handler("tests.fails", "Failing")
def failing_job(actor: Membership, context: JobContext) -> dict:
    raise jobs.PermanentJobError("The file is not a spreadsheet.")


@job_handler("tests.crashes", "Crashing")
def crashing_job(actor: Membership, context: JobContext) -> dict:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


def test_job_runs_after_commit_and_records_progress_and_result(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(personas.manager1, kind="tests.count", params={"n": 3})
        assert Job.objects.get(pk=job.pk).state == JobState.PENDING
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.result == {"counted": 3, "by": "m1@alpha.test"}
    assert job.started_at and job.finished_at and job.attempts == 1


def test_a_job_is_claimed_once_even_if_delivered_twice(personas):
    job = job_start(personas.manager1, kind="tests.count", params={"n": 2})
    assert jobs.execute(job.pk) == JobState.SUCCEEDED
    assert jobs.execute(job.pk) is None
    assert CALLS == [0, 1]


def test_permanent_failure_shows_its_message(personas):
    job = job_start(personas.manager1, kind="tests.fails")
    assert jobs.execute(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert job.error == "The file is not a spreadsheet."


def test_unexpected_crash_fails_the_job_without_leaking_details(personas):
    job = job_start(personas.manager1, kind="tests.crashes")
    assert jobs.execute(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert "boom" not in job.error and "internal error" in job.error


def test_job_of_a_deactivated_member_does_not_run(personas):
    job = job_start(personas.manager1, kind="tests.count", params={"n": 1})
    Membership.objects.filter(pk=personas.manager1.pk).update(is_active=False)
    assert jobs.execute(job.pk) == JobState.FAILED
    assert CALLS == []


def test_cancelled_job_stops_at_its_next_progress_report(personas):
    job = job_start(personas.manager1, kind="tests.count", params={"n": 5})

    @job_handler("tests.cancel_midway", "Cancel midway")
    def cancel_midway(actor: Membership, context: JobContext) -> dict:
        context.progress(1, 5, force=True)
        job_cancel(actor, context.job.pk)
        context.progress(2, 5, force=True)
        raise AssertionError("not reached")

    Job.objects.filter(pk=job.pk).update(kind="tests.cancel_midway")
    assert jobs.execute(job.pk) == JobState.CANCELLED
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and job.progress_done == 1


def test_only_the_author_or_an_administrator_may_cancel(personas):
    from django.http import Http404

    job = job_start(personas.manager1, kind="tests.count", params={"n": 1})
    for outsider in (personas.manager2, personas.head, personas.readonly):
        with pytest.raises(Http404):
            job_cancel(outsider, job.pk)
    assert job_cancel(personas.admin, job.pk).state == JobState.CANCELLED


def test_a_job_whose_worker_died_is_taken_over(personas, settings):
    settings.RELATA_JOB_STALL_SECONDS = 60
    job = job_start(personas.manager1, kind="tests.count", params={"n": 2})
    # Another worker claimed it and died: running, no sign of life for long.
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, attempts=1, heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert jobs_recover_stalled() == 1  # eager in tests: re-enqueued and run
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.attempts == 2


def test_a_running_job_with_a_live_worker_is_left_alone(personas):
    job = job_start(personas.manager1, kind="tests.count", params={"n": 2})
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, heartbeat_at=timezone.now())
    assert jobs.execute(job.pk) is None
    assert CALLS == []


def test_job_pages_show_progress_to_the_author_only(personas, client_as):
    job = job_start(personas.manager1, kind="tests.count", params={"n": 2})
    client = client_as(personas.manager1)
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.content.decode()
    jobs.execute(job.pk)
    partial = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in partial and 'data-state="succeeded"' in partial
    assert client_as(personas.manager2).get(f"/jobs/{job.pk}/").status_code == 404
    assert client_as(personas.other).get(f"/jobs/{job.pk}/").status_code == 404


# --- Hand-over ----------------------------------------------------------------------


@pytest.fixture
def book(personas):
    """Manager 1 owns 6 accounts, each with an open and a closed opportunity."""
    ws = personas.admin.workspace
    owner = personas.manager1.user
    accounts = [Account.objects.create(workspace=ws, owner=owner, name=f"Client {n}") for n in range(6)]
    for account in accounts:
        Opportunity.objects.create(workspace=ws, owner=owner, account=account, title=f"{account.name} open")
        Opportunity.objects.create(
            workspace=ws, owner=owner, account=account, title=f"{account.name} won", is_open=False
        )
    return accounts


def run_handover(admin, **kwargs) -> Job:
    job = handover_start(admin, **kwargs)
    jobs.execute(job.pk)
    job.refresh_from_db()
    return job


def test_handover_to_several_colleagues_keeps_a_clients_records_together(personas, book):
    recipients = sorted([personas.manager2.user_id, personas.head.user_id])
    job = run_handover(personas.admin, from_user_id=personas.manager1.user_id, to_user_ids=recipients)
    assert job.state == JobState.SUCCEEDED, job.error
    assert job.result["moved"] | {"sample.account": 6, "sample.opportunity": 6} == job.result["moved"]
    assert sum(job.result["moved"].values()) == 12  # the apps' own kinds (clients…) own nothing here
    for account in Account.objects.all():
        assert account.owner_id == recipient_for(account.pk, recipients)
        open_deal = Opportunity.objects.get(account=account, is_open=True)
        assert open_deal.owner_id == account.owner_id
    # Closed deals stay with the manager who won them (their results stay theirs).
    assert set(Opportunity.objects.filter(is_open=False).values_list("owner_id", flat=True)) == {
        personas.manager1.user_id
    }
    # Every record's history shows the change of owner; one event sums up the hand-over.
    assert Event.objects.filter(kind="record.owner_changed").count() == 12
    summary = Event.objects.get(kind="handover.completed")
    assert {k: v for k, v in summary.data["moved"].items() if v} == {"sample.account": 6, "sample.opportunity": 6}


def test_handover_can_deactivate_the_leaving_member(personas, book):
    run_handover(
        personas.admin, from_user_id=personas.manager1.user_id, to_user_ids=[personas.manager2.user_id], deactivate=True
    )
    assert not Membership.objects.get(pk=personas.manager1.pk).is_active
    assert Account.objects.filter(owner=personas.manager2.user).count() == 6


def test_handover_resumed_after_a_crash_moves_only_what_is_left(personas, book):
    first = Account.objects.order_by("pk").first()
    Account.objects.filter(pk=first.pk).update(owner=personas.manager2.user)  # done before the crash
    job = run_handover(
        personas.admin,
        from_user_id=personas.manager1.user_id,
        to_user_ids=[personas.manager2.user_id],
        kinds=["sample.account"],
    )
    assert job.result["moved"] == {"sample.account": 5}
    assert Event.objects.filter(kind="record.owner_changed").count() == 5


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"to_user_ids": []}, "to_users"),
        ({"to_user_ids": ["SELF"]}, "to_users"),
        ({"to_user_ids": ["OTHER_WS"]}, "to_users"),
        ({"to_user_ids": ["INACTIVE"]}, "to_users"),
        ({"kinds": ["sample.nothing"]}, "kinds"),
    ],
)
def test_handover_bad_input_is_refused_before_anything_moves(personas, book, kwargs, field):
    from django.core.exceptions import ValidationError

    Membership.objects.filter(pk=personas.readonly.pk).update(is_active=False)
    marks = {
        "SELF": personas.manager1.user_id,
        "OTHER_WS": personas.other.user_id,
        "INACTIVE": personas.readonly.user_id,
    }
    params = {"from_user_id": personas.manager1.user_id, "to_user_ids": [personas.manager2.user_id], **kwargs}
    params["to_user_ids"] = [marks.get(v, v) for v in params["to_user_ids"]]
    with pytest.raises(ValidationError) as caught:
        handover_start(personas.admin, **params)
    assert field in caught.value.message_dict
    assert not Job.objects.exists()
    assert Account.objects.filter(owner=personas.manager1.user).count() == 6


def test_handover_screen_previews_and_starts_the_job(personas, book, client_as, django_capture_on_commit_callbacks):
    client = client_as(personas.admin)
    page = client.get(f"/settings/handover/?from_user={personas.manager1.user_id}").content.decode()
    assert "Accounts: 6" in page and "Open opportunities: 6" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/settings/handover/",
            {
                "from_user": personas.manager1.user_id,
                "to_users": [personas.manager2.user_id],
                "kinds": ["sample.account", "sample.opportunity"],
            },
        )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert "Accounts: 6" in client.get(response["Location"]).content.decode()
    assert client_as(personas.head).get("/settings/handover/").status_code == 403


def test_handover_through_the_api(personas, book, api_as, django_capture_on_commit_callbacks):
    api = api_as(personas.admin)
    counts = api.get(f"/api/v1/handover/{personas.manager1.user_id}").json()
    assert {c["key"]: c["count"] for c in counts if c["key"].startswith("sample.")} == {
        "sample.account": 6,
        "sample.opportunity": 6,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/handover", {"from_user_id": personas.manager1.user_id, "to_user_ids": [personas.head.user_id]}
        )
    assert response.status_code == 202
    job = api.get(f"/api/v1/jobs/{response.json()['id']}").json()
    assert job["state"] == "succeeded" and job["result"]["total"] == 12


# --- Events are append-only ---------------------------------------------------------


def test_events_cannot_be_changed_by_the_orm_or_raw_sql(personas):
    from django.db import DatabaseError, IntegrityError, transaction

    from relata.core.models import AppendOnlyError

    event = Event.objects.filter(workspace=personas.admin.workspace).first()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(kind="forged")
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_event SET kind = 'forged' WHERE id = %s", [event.pk])
    assert Event.objects.get(pk=event.pk).kind == event.kind
