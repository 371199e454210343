"""Logging contacts with clients: what is kept, what is refused, who sees it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.utils import timezone

from relata.activities.models import Activity, Attachment
from relata.activities.services.activities import activity_delete, activity_log, activity_update
from relata.activities.tests.helpers import PDF, PNG, company, docx_bytes, outcome, person, upload
from relata.core.concurrency import StaleVersion
from relata.core.models import Event


def storage_names() -> set[str]:
    storage = storages["attachments"]
    folders, files = storage.listdir("attachments")
    names = set()
    for folder in folders:
        names.update(f"attachments/{folder}/{name}" for name in storage.listdir(f"attachments/{folder}")[1])
    return names | {f"attachments/{name}" for name in files}


def test_a_call_with_everything_it_carries(personas):
    client = company(personas.manager1)
    buyer = person(personas.manager1, "Петров", client.pk)
    activity = activity_log(
        personas.manager1,
        client_id=client.pk,
        values={
            "kind": "call",
            "direction": "in",
            "duration": 330,
            "recording_url": "https://pbx.example.com/rec/1.mp3",
            "subject": "Вопрос по силикатному кирпичу",
            "body": "<p>Нужно <strong>три вагона</strong></p>",
            "outcome": outcome(personas.manager1).pk,
            "outcome_note": "Просит прайс",
            "amount": "150 000,50",
        },
        participant_ids=[personas.head.user_id],
        contact_ids=[buyer.pk],
        files=[upload("прайс.pdf", PDF), upload("схема.png", PNG)],
    )
    activity.refresh_from_db()
    assert (activity.kind, activity.direction, activity.duration) == ("call", "in", 330)
    assert str(activity.amount) == "150000.50" and activity.currency == "RUB"  # the workspace's currency
    assert activity.author_id == personas.manager1.user_id
    assert list(activity.participants.values_list("pk", flat=True)) == [personas.head.user_id]
    assert list(activity.contact_links.values_list("person_id", flat=True)) == [buyer.pk]
    files = list(activity.attachments.order_by("id"))
    assert [(f.name, f.content_type) for f in files] == [("прайс.pdf", "application/pdf"), ("схема.png", "image/png")]
    assert files[0].file.read() == PDF and not files[0].file.name.endswith(".pdf")  # stored under a random name
    event = Event.objects.get(kind="activity.logged")
    assert event.data == {"client": client.pk, "kind": "call", "files": 2}


def test_notes_are_sanitised_on_save(personas):
    client = company(personas.manager1)
    activity = activity_log(
        personas.manager1,
        client_id=client.pk,
        values={
            "kind": "note",
            "body": '<p onclick="steal()">Текст<script>alert(1)</script><img src=x onerror=alert(2)>'
            '<a href="javascript:alert(3)">ссылка</a> <a href="https://example.com">сайт</a>'
            '<style>body{}</style><iframe src="https://evil"></iframe></p>',
        },
    )
    body = activity.body
    for bad in ("script", "onclick", "onerror", "<img", "javascript:", "<style", "<iframe", "alert"):
        assert bad not in body, bad
    assert 'href="https://example.com"' in body and 'rel="noopener noreferrer nofollow"' in body
    assert "Текст" in body
    # A note of nothing but markup is empty, not a blank paragraph.
    empty = activity_log(personas.manager1, client_id=client.pk, values={"kind": "note", "body": "<p> <br></p>"})
    assert empty.body == ""


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "dance"}, "kind"),
        ({"kind": "call", "direction": "sideways"}, "direction"),
        ({"kind": "call", "occurred_at": "yesterday"}, "occurred_at"),
        ({"kind": "call", "duration": -5}, "duration"),
        ({"kind": "call", "duration": 90000}, "duration"),
        ({"kind": "call", "recording_url": "ftp://x/rec.mp3"}, "recording_url"),
        ({"kind": "note", "amount": "-1"}, "amount"),
        ({"kind": "note", "amount": "много"}, "amount"),
        ({"kind": "note", "amount": "10", "currency": "рубли"}, "currency"),
        ({"kind": "call", "outcome": 999999}, "outcome"),
        ({"kind": "call", "subject": "x" * 301}, "subject"),
    ],
)
def test_bad_values_are_refused_by_field_and_nothing_is_written(personas, values, field):
    client = company(personas.manager1)
    with pytest.raises(ValidationError) as error:
        activity_log(personas.manager1, client_id=client.pk, values=values, files=[upload("a.pdf", PDF)])
    assert field in error.value.message_dict
    assert not Activity.objects.exists() and not Attachment.objects.exists()
    assert not Event.objects.filter(kind="activity.logged").exists()


def test_a_call_cannot_be_in_the_future_but_a_meeting_can(personas):
    client = company(personas.manager1)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        activity_log(personas.manager1, client_id=client.pk, values={"kind": "call", "occurred_at": tomorrow})
    assert "occurred_at" in error.value.message_dict
    meeting = activity_log(personas.manager1, client_id=client.pk, values={"kind": "meeting", "occurred_at": tomorrow})
    assert meeting.occurred_at == tomorrow and meeting.direction == ""


def test_participants_and_contacts_must_be_known_and_visible(personas):
    client = company(personas.manager1)
    strangers_person = person(personas.manager2, "Чужой")
    with pytest.raises(ValidationError) as error:
        activity_log(
            personas.manager1, client_id=client.pk, values={"kind": "call"}, participant_ids=[personas.other.user_id]
        )
    assert "participants" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        activity_log(personas.manager1, client_id=client.pk, values={"kind": "call"}, contact_ids=[strangers_person.pk])
    assert "contacts" in error.value.message_dict
    assert not Activity.objects.exists()


def test_a_client_one_cannot_see_cannot_get_activities(personas):
    theirs = company(personas.manager2, "Южный клиент")
    with pytest.raises(ValidationError) as error:
        activity_log(personas.manager1, client_id=theirs.pk, values={"kind": "call"})
    assert error.value.message_dict == {"client": ["Choose a client you can see."]}
    # The read-only user sees the client but may not log anything.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        activity_log(personas.readonly, client_id=theirs.pk, values={"kind": "call"})
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "not accepted"),
        ("picture.svg", b"<svg onload=alert(1)></svg>", "not accepted"),
        ("program.exe", b"MZ\x90\x00", "not accepted"),
        ("fake.pdf", b"<html>not a pdf</html>", "not really a PDF"),
        ("fake.docx", b"MZ\x90\x00 a program", "not really a DOCX"),
        ("notes.txt", b"<!DOCTYPE html><html></html>", "not a plain text"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_forbidden_or_disguised_files_are_refused(personas, name, content, message):
    client = company(personas.manager1)
    with pytest.raises(ValidationError) as error:
        activity_log(personas.manager1, client_id=client.pk, values={"kind": "note"}, files=[upload(name, content)])
    assert message in " ".join(error.value.message_dict["files"])
    assert not Activity.objects.exists() and not Attachment.objects.exists()


def test_real_office_and_text_files_are_accepted(personas):
    client = company(personas.manager1)
    activity = activity_log(
        personas.manager1,
        client_id=client.pk,
        values={"kind": "document_sent"},
        files=[upload("договор.docx", docx_bytes()), upload("список.csv", "Имя;Телефон\n".encode())],
    )
    assert sorted(activity.attachments.values_list("content_type", flat=True)) == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/csv",
    ]


def test_size_and_count_limits(personas, settings):
    settings.RELATA_ATTACHMENT_MAX_MB = 1
    settings.RELATA_ATTACHMENTS_PER_ACTIVITY = 2
    client = company(personas.manager1)
    big = upload("big.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as error:
        activity_log(personas.manager1, client_id=client.pk, values={"kind": "note"}, files=[big])
    assert "larger than the limit of 1 MB" in error.value.message_dict["files"][0]
    activity = activity_log(
        personas.manager1,
        client_id=client.pk,
        values={"kind": "note"},
        files=[upload("1.pdf", PDF), upload("2.pdf", PDF)],
    )
    with pytest.raises(ValidationError) as error:
        activity_update(
            personas.manager1, activity.pk, version=activity.version, values={}, files=[upload("3.pdf", PDF)]
        )
    assert "At most 2 files" in error.value.message_dict["files"][0]
    assert activity.attachments.count() == 2


def test_a_failed_save_leaves_no_file_behind(personas, monkeypatch):
    client = company(personas.manager1)
    before = storage_names() if storages["attachments"].exists("attachments") else set()

    def explode(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("relata.activities.services.activities.record_event", explode)
    with pytest.raises(RuntimeError):
        activity_log(personas.manager1, client_id=client.pk, values={"kind": "note"}, files=[upload("a.pdf", PDF)])
    assert not Attachment.objects.exists()
    after = storage_names() if storages["attachments"].exists("attachments") else set()
    assert after == before


def test_deleting_an_activity_or_its_client_removes_the_stored_files(personas, django_capture_on_commit_callbacks):
    client = company(personas.manager1)
    first = activity_log(personas.manager1, client_id=client.pk, values={"kind": "note"}, files=[upload("a.pdf", PDF)])
    second = activity_log(personas.manager1, client_id=client.pk, values={"kind": "note"}, files=[upload("b.pdf", PDF)])
    names = [first.attachments.get().file.name, second.attachments.get().file.name]
    storage = storages["attachments"]
    assert all(storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        activity_delete(personas.head, first.pk)
    assert not storage.exists(names[0]) and storage.exists(names[1])
    from relata.clients.services.clients import client_delete

    with django_capture_on_commit_callbacks(execute=True):
        client_delete(personas.head, client.pk)
    assert not storage.exists(names[1])
    assert Event.objects.get(kind="activity.deleted").data["files"] == ["a.pdf"]


def test_changes_use_optimistic_locking(personas):
    client = company(personas.manager1)
    activity = activity_log(personas.manager1, client_id=client.pk, values={"kind": "call", "subject": "Первый"})
    activity_update(personas.head, activity.pk, version=activity.version, values={"subject": "Руководитель"})
    with pytest.raises(StaleVersion) as stale:
        activity_update(personas.manager1, activity.pk, version=activity.version, values={"subject": "Менеджер"})
    assert stale.value.theirs == {"subject": "Руководитель"}
    activity.refresh_from_db()
    assert activity.subject == "Руководитель" and activity.version == 2
    changed = Event.objects.get(kind="activity.changed")
    assert changed.changes == {"subject": ["Первый", "Руководитель"]}


def test_changing_the_kind_clears_a_direction_that_no_longer_applies(personas):
    client = company(personas.manager1)
    activity = activity_log(personas.manager1, client_id=client.pk, values={"kind": "call", "direction": "in"})
    activity_update(personas.manager1, activity.pk, version=activity.version, values={"kind": "note"})
    activity.refresh_from_db()
    assert (activity.kind, activity.direction) == ("note", "")


def test_the_history_follows_the_client_to_its_new_owner(personas):
    from relata.activities.selectors.activities import activities_visible_to
    from relata.clients.services.clients import client_update

    client = company(personas.manager1)
    activity_log(personas.manager1, client_id=client.pk, values={"kind": "call"})
    assert activities_visible_to(personas.manager2).count() == 0
    client_update(personas.head, client.pk, version=client.version, values={"owner": personas.manager2.user_id})
    assert activities_visible_to(personas.manager2).count() == 1
    assert activities_visible_to(personas.manager1).count() == 0
