"""The client import through its services and job: formats, validation, duplicates,
scope, resume after a crash, undo, and bad files.

Messages are checked in English (the personas' language)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from relata.clients.importing import pipeline
from relata.clients.models import Client, ClientPhone, ImportBatch, ImportRowResult, ImportState
from relata.clients.services.clients import client_create, client_update
from relata.clients.services.custom_fields import custom_field_create
from relata.clients.services.imports import (
    import_configure,
    import_preview,
    import_start,
    import_undo,
    import_upload,
)
from relata.clients.tests.import_helpers import (
    company_inn,
    csv_upload,
    messages_of,
    person_inn,
    rows_of,
    run_import,
    vcard_upload,
    xls_upload,
    xlsx_upload,
)
from relata.core import jobs
from relata.core.models import Event, Job, JobState, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def undo(actor: Any, batch: ImportBatch) -> dict[str, Any]:
    job = import_undo(actor, batch.pk)
    jobs.execute(job.pk)
    job.refresh_from_db()
    batch.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    return job.result


# --- Formats ---------------------------------------------------------------------------


COMPANIES = [["Название", "ИНН", "Телефон", "Город"], ["ООО «Ромашка»", company_inn(1), "+7 916 123-45-67", "Москва"]]


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [
        ("utf8-comma.csv", "utf-8", ","),
        ("bom-semicolon.csv", "utf-8-sig", ";"),
        ("windows-1251.csv", "cp1251", ";"),
        ("tabs.txt", "utf-8", "\t"),
    ],
)
def test_csv_in_every_encoding_and_delimiter_imports_cyrillic(personas, name, encoding, delimiter):
    text = "\r\n".join(delimiter.join(row) for row in COMPANIES) + "\r\n"
    batch = run_import(personas.admin, csv_upload(text, name, encoding))
    assert (batch.state, batch.created_count, batch.failed_count) == (ImportState.DONE, 1, 0)
    assert batch.delimiter == delimiter
    client = Client.objects.get(workspace=personas.admin.workspace, inn=company_inn(1))
    assert (client.name, client.city, client.primary_phone) == ("ООО «Ромашка»", "Москва", "+79161234567")


@pytest.mark.parametrize("make", [xlsx_upload, xls_upload])
def test_excel_workbooks_import_cyrillic(personas, make):
    rows = [
        ["Фамилия", "Имя", "Отчество", "Телефон", "Дата рождения"],
        ["Кузнецова", "Ольга", "Ивановна", "89031112233", "12.04.1985"],
    ]
    batch = run_import(personas.admin, make(rows), kind="person")
    assert (batch.created_count, batch.failed_count) == (1, 0)
    person = Client.objects.get(workspace=personas.admin.workspace, kind="person")
    assert person.name == "Кузнецова Ольга Ивановна"
    assert (person.primary_phone, str(person.birthday)) == ("+79031112233", "1985-04-12")


def test_vcard_with_several_cards_quoted_printable_and_versions(personas):
    batch = run_import(personas.admin, vcard_upload(), kind="person")
    assert (batch.file_format, batch.created_count, batch.failed_count) == ("vcard", 3, 0)
    people = {c.last_name: c for c in Client.objects.filter(workspace=personas.admin.workspace, kind="person")}
    assert set(people) == {"Иванов", "Петрова", "Сидоров"}
    ivanov = people["Иванов"]
    assert (ivanov.name, ivanov.first_name, ivanov.middle_name) == ("Иван Петрович Иванов", "Иван", "Петрович")
    assert {(p.number, p.kind) for p in ivanov.phones.all()} == {("+79161234567", "mobile"), ("+79031112233", "work")}
    petrova = people["Петрова"]
    assert (petrova.primary_email, petrova.city, petrova.region) == ("anna@example.ru", "Казань", "Татарстан")
    assert petrova.phones.get().kind == "home"
    assert str(people["Сидоров"].birthday) == "1985-04-12"


# --- Validation ------------------------------------------------------------------------


def test_invalid_values_fail_their_row_naming_the_row_and_the_column(personas):
    admin = personas.admin
    custom_field_create(admin, entity="company", label="Volume per year", key="volume", field_type="number")
    text = (
        "Название;ИНН;Телефон;E-mail;Volume per year\n"
        f"Good;{company_inn(2)};+7 916 123-45-67;good@example.ru;12\n"
        "Bad INN;1234567890;;;\n"
        "Bad phone;;+7 916 12;;\n"
        "Bad e-mail;;;not-an-address;\n"
        "Bad number;;;;lots\n"
        ";;;;\n"
        "Ragged;;;;;extra\n"
    )
    batch = run_import(admin, csv_upload(text))
    rows = rows_of(batch)
    assert (batch.created_count, batch.failed_count, batch.total_rows) == (1, 5, 6)
    assert [e["column"] for e in rows[2].errors] == ["ИНН"] and "check digits" in messages_of(rows[2])
    assert rows[3].errors[0]["field"] == "phones.0" and rows[3].errors[0]["column"] == "Телефон"
    assert rows[4].errors[0]["column"] == "E-mail" and "not a valid e-mail" in messages_of(rows[4])
    assert rows[5].errors[0] == {
        "field": "custom.volume",
        "column": "Volume per year",
        "message": "“lots” is not a number.",
    }
    assert "Row 6: 6 cells, the header has 5." in messages_of(rows[6])
    assert rows[2].values == ["Bad INN", "1234567890", "", "", ""]  # kept for the error report
    assert Client.objects.filter(workspace=admin.workspace).count() == 1  # nothing of the bad rows


def test_a_row_without_a_name_fails_as_a_new_client(personas):
    text = "Название;ИНН\n;" + company_inn(3) + "\n"
    batch = run_import(personas.admin, csv_upload(text))
    assert messages_of(rows_of(batch)[1]) == "Enter the name."


def test_preview_validates_and_decides_without_writing(personas):
    admin = personas.admin
    client_create(admin, kind="company", values={"name": "Known", "inn": company_inn(4)})
    text = f"Name;INN\nNew one;{company_inn(5)}\nKnown again;{company_inn(4)}\nBroken;12\n"
    batch = import_upload(admin, kind="company", upload=csv_upload(text))
    preview = import_preview(admin, batch.pk)
    assert [row.action for row in preview.rows] == ["created", "skipped", "failed"]
    assert "The client “Known” with this INN already exists." in preview.rows[1].reason
    assert preview.rows[2].reason.startswith("INN: “12” is not a valid INN")
    assert Client.objects.filter(workspace=admin.workspace).count() == 1
    assert not ImportRowResult.objects.exists()


def test_mapping_and_defaults_are_checked(personas):
    admin = personas.admin
    batch = import_upload(admin, kind="company", upload=csv_upload("Name;INN;Other\nA;;x\n"))
    with pytest.raises(ValidationError) as caught:
        import_configure(admin, batch.pk, mapping={"0": "inn", "1": "inn", "2": "nonsense", "7": "note"})
    problems = caught.value.message_dict["mapping"]
    assert "“INN” is chosen for two columns: “Name” and “INN”." in problems
    assert "Column “Other”: “nonsense” is not a field of this kind of client." in problems
    assert "The file has no column 8." in problems
    assert "Choose the column that holds the client's name." in problems
    with pytest.raises(ValidationError) as caught:
        import_configure(admin, batch.pk, policy="merge", defaults={"status": "Nonexistent", "owner": "nobody@x"})
    assert set(caught.value.message_dict) == {"policy", "status", "owner"}


def test_defaults_apply_to_new_clients(personas):
    admin = personas.admin
    batch = run_import(
        admin,
        csv_upload(f"Name;INN\nA;{company_inn(6)}\n"),
        defaults={"status": "Client", "owner": personas.head.user_id, "tags": "fair, 2025", "source": "Fair"},
    )
    client = Client.objects.get(pk=rows_of(batch)[1].client_id)
    assert (client.status.key, client.owner_id, client.source) == ("client", personas.head.user_id, "Fair")
    assert sorted(client.tags.values_list("name", flat=True)) == ["2025", "fair"]


def test_new_clients_without_an_owner_go_by_the_assignment_rules(personas):
    from relata.clients.services.assignment import assignment_rule_create

    admin, head, manager1 = personas.admin, personas.head, personas.manager1
    assignment_rule_create(admin, name="Everyone", manager_ids=[head.user_id, manager1.user_id])
    text = "Name;Owner\nFirst;\nSecond;\nThird;\nMine;admin@alpha.test\n"
    first = run_import(admin, csv_upload(text))
    owners = [Client.objects.get(pk=row.client_id).owner_id for row in rows_of(first).values()]
    assert owners == [head.user_id, manager1.user_id, head.user_id, admin.user_id]
    # A default owner for the whole file wins over the rules.
    batch = run_import(admin, csv_upload("Name\nFourth\n"), defaults={"owner": admin.user_id})
    assert Client.objects.get(pk=rows_of(batch)[1].client_id).owner_id == admin.user_id
    assert undo(admin, first)["removed"] == 4  # the fingerprint is taken after the assignment


# --- Duplicates ---------------------------------------------------------------------------


def test_skip_policy_against_the_base_and_inside_the_file(personas):
    admin = personas.admin
    client_create(admin, kind="company", values={"name": "Base Co", "inn": company_inn(7), "phones": "+79161234567"})
    text = (
        "Name;INN;Phone;E-mail\n"
        f"Same INN;{company_inn(7)};;\n"
        "Same phone;;8 916 123 45 67;\n"
        "First;;;one@example.ru\n"
        "Second;;;ONE@example.ru\n"
        f"Third;{company_inn(8)};;\n"
        f"Fourth;{company_inn(8)};;\n"
    )
    batch = run_import(admin, csv_upload(text), policy="skip")
    rows = rows_of(batch)
    assert [rows[n].action for n in range(1, 7)] == ["skipped", "skipped", "created", "skipped", "created", "skipped"]
    assert messages_of(rows[1]) == "The client “Base Co” with this INN already exists."
    assert messages_of(rows[2]) == "The client “Base Co” with this phone already exists."
    assert messages_of(rows[4]) == "Same e-mail as row 3 of this file."
    assert messages_of(rows[6]) == "Same INN as row 5 of this file."
    assert Client.objects.filter(workspace=admin.workspace).count() == 3


def test_skip_policy_inside_the_file_across_chunks(personas, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    text = f"Name;INN\nA;{company_inn(9)}\nB;{company_inn(10)}\nC;{company_inn(11)}\nA again;{company_inn(9)}\n"
    batch = run_import(personas.admin, csv_upload(text), policy="skip")
    assert messages_of(rows_of(batch)[4]) == "Same INN as row 1 of this file."
    assert (batch.created_count, batch.skipped_count) == (3, 1)


def test_update_policy_updates_the_base_and_merges_rows_of_one_client(personas):
    admin = personas.admin
    known = client_create(
        admin,
        kind="company",
        values={"name": "Old name", "inn": company_inn(12), "phones": "+79161234567", "source": "Call"},
    )
    text = (
        "Name;INN;Phone;E-mail;City\n"
        f"New name;{company_inn(12)};+7 903 111-22-33;;Тверь\n"
        "Twin;;;twin@example.ru;\n"
        "Twin again;;+7 926 555-44-33;twin@example.ru;Самара\n"
    )
    batch = run_import(admin, csv_upload(text), policy="update", defaults={"tags": "imported"})
    rows = rows_of(batch)
    assert [rows[n].action for n in (1, 2, 3)] == ["updated", "created", "updated"]
    known.refresh_from_db()
    assert (known.name, known.source, known.city, known.primary_phone) == ("New name", "Call", "Тверь", "+79161234567")
    assert sorted(known.phones.values_list("number", flat=True)) == ["+79031112233", "+79161234567"]
    assert list(known.tags.values_list("name", flat=True)) == ["imported"]
    twin = Client.objects.get(pk=rows[2].client_id)
    assert rows[3].client_id == twin.pk and rows[3].before == {"row": 2}
    assert (twin.name, twin.city, twin.primary_phone) == ("Twin again", "Самара", "+79265554433")
    event = Event.objects.get(kind="client.changed", target_id=known.pk, data__import=batch.pk)
    assert event.changes["name"] == ["Old name", "New name"]


def test_update_policy_reports_rows_that_change_nothing(personas):
    admin = personas.admin
    client_create(admin, kind="company", values={"name": "Same", "inn": company_inn(13)})
    batch = run_import(admin, csv_upload(f"Name;INN\nSame;{company_inn(13)}\n"), policy="update")
    assert messages_of(rows_of(batch)[1]) == "The client already has these values."
    assert batch.skipped_count == 1


def test_create_policy_creates_duplicates(personas):
    admin = personas.admin
    client_create(admin, kind="company", values={"name": "Known", "inn": company_inn(14)})
    text = f"Name;INN\nKnown;{company_inn(14)}\nKnown;{company_inn(14)}\n"
    batch = run_import(admin, csv_upload(text), policy="create")
    assert batch.created_count == 2
    assert Client.objects.filter(workspace=admin.workspace, inn=company_inn(14)).count() == 3


def test_same_name_with_another_inn_is_another_company(personas):
    admin = personas.admin
    client_create(admin, kind="company", values={"name": "ООО Ромашка", "inn": company_inn(15)})
    text = f"Name;INN\nРомашка;{company_inn(16)}\nРомашка ООО;\n"
    batch = run_import(admin, csv_upload(text), policy="skip")
    rows = rows_of(batch)
    assert (rows[1].action, rows[2].action) == ("created", "skipped")
    assert messages_of(rows[2]) == "Same name as row 1 of this file."
    batch = run_import(admin, csv_upload("Name\nРомашка, ООО\n"), policy="skip")
    assert messages_of(rows_of(batch)[1]) == "The client “ООО Ромашка” with this name already exists."


def test_a_colleagues_client_outside_the_scope_is_neither_updated_nor_revealed(personas):
    """Managers (scope "own") get the import permission; manager 2 owns the client."""
    role = Role.objects.get(workspace=personas.admin.workspace, key="sales_manager")
    role.permissions = [*role.permissions, "clients.import"]
    role.save()
    manager1 = type(personas.manager1).objects.select_related("role", "workspace", "user").get(pk=personas.manager1.pk)
    secret = client_create(
        personas.manager2, kind="company", values={"name": "Secret Bricks", "inn": company_inn(17), "note": "mine"}
    )
    text = f"Name;INN;Note\nSomething else;{company_inn(17)};overwritten\n"
    preview_batch = import_upload(manager1, kind="company", upload=csv_upload(text))
    import_configure(manager1, preview_batch.pk, policy="update")
    assert import_preview(manager1, preview_batch.pk).rows[0].action == "skipped"
    jobs.execute(import_start(manager1, preview_batch.pk).pk)
    result = rows_of(preview_batch)[1]
    assert result.action == "skipped" and result.client_id is None
    message = messages_of(result)
    assert message == "A client with this INN already exists and belongs to a colleague; it was left unchanged."
    assert "Secret" not in message
    secret.refresh_from_db()
    assert (secret.name, secret.note, secret.version) == ("Secret Bricks", "mine", 1)
    # With the "create" policy it is not duplicated either.
    batch = run_import(manager1, csv_upload(text), policy="create")
    assert (batch.created_count, batch.skipped_count) == (0, 1)


def test_people_are_linked_to_visible_companies_by_name_or_inn(personas):
    admin = personas.admin
    company = client_create(admin, kind="company", values={"name": "ООО «Кирпичный двор»", "inn": company_inn(18)})
    text = (
        "Фамилия;Имя;Компания;Должность;ИНН\n"
        "Орлов;Олег;Кирпичный двор;Закупщик;\n"
        f"Соколова;Нина;{company_inn(18)};;{person_inn(1)}\n"
        "Волков;Иван;Нет такой;;\n"
        "Зайцев;Пётр;;Инженер;\n"
    )
    batch = run_import(admin, csv_upload(text), kind="person")
    rows = rows_of(batch)
    assert [rows[n].action for n in (1, 2, 3, 4)] == ["created", "created", "failed", "created"]
    orlov = Client.objects.get(pk=rows[1].client_id)
    assert list(orlov.employments.values_list("company_id", "job_title")) == [(company.pk, "Закупщик")]
    assert Client.objects.get(pk=rows[2].client_id).employments.get().company_id == company.pk
    assert rows[3].errors[0]["column"] == "Компания" and "no company “Нет такой”" in messages_of(rows[3])
    assert Client.objects.get(pk=rows[4].client_id).occupation == "Инженер"


# --- Resume after a crash ------------------------------------------------------------


def _five_chunks() -> str:
    lines = (
        ["Name;INN"] + [f"Company {n};{company_inn(100 + n)}" for n in range(1, 10)] + [f"Company 1;{company_inn(101)}"]
    )
    return "\n".join(lines) + "\n"


def test_a_crash_mid_way_leaves_whole_chunks_and_the_import_resumes(personas, monkeypatch):
    admin = personas.admin
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    batch = import_upload(admin, kind="company", upload=csv_upload(_five_chunks()))
    real_insert = pipeline.insert_rows
    calls = {"results": 0}

    def crash_in_third_chunk(model: Any, rows: list[dict[str, Any]]) -> None:
        if model is ImportRowResult:
            calls["results"] += 1
            if calls["results"] == 3:  # clients, phones… of chunk 3 are written: the worker dies now
                raise RuntimeError("worker killed")
        real_insert(model, rows)

    monkeypatch.setattr(pipeline, "insert_rows", crash_in_third_chunk)
    job = import_start(admin, batch.pk)
    assert jobs.execute(job.pk) == JobState.FAILED
    batch.refresh_from_db()
    assert (batch.state, batch.rows_done, batch.created_count) == (ImportState.RUNNING, 4, 4)
    assert Client.objects.filter(workspace=admin.workspace).count() == 4  # no half of chunk 3
    assert sorted(rows_of(batch)) == [1, 2, 3, 4]

    monkeypatch.setattr(pipeline, "insert_rows", real_insert)
    resumed = import_start(admin, batch.pk)  # the interrupted import is started again
    assert resumed.pk != job.pk and jobs.execute(resumed.pk) == JobState.SUCCEEDED
    batch.refresh_from_db()
    assert (batch.state, batch.rows_done, batch.total_rows) == (ImportState.DONE, 10, 10)
    assert (batch.created_count, batch.skipped_count, batch.failed_count) == (9, 1, 0)
    assert Client.objects.filter(workspace=admin.workspace).count() == 9
    assert sorted(rows_of(batch)) == list(range(1, 11))
    assert Event.objects.filter(kind="import.finished", target_id=batch.pk).count() == 1


def test_a_job_run_again_after_its_worker_died_continues_where_it_stopped(personas, monkeypatch):
    """The stalled-job recovery calls the handler again with the same job."""
    admin = personas.admin
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    batch = import_upload(admin, kind="company", upload=csv_upload(_five_chunks()))
    job = import_start(admin, batch.pk)
    real_write = pipeline.Importer.write
    calls = {"n": 0}

    def die_after_two_chunks(self: Any, plans: Any, *, start: int, end: int) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # not an Exception: like a killed process, nothing is recorded
        return real_write(self, plans, start=start, end=end)

    monkeypatch.setattr(pipeline.Importer, "write", die_after_two_chunks)
    with pytest.raises(KeyboardInterrupt):
        jobs.execute(job.pk)
    assert Job.objects.get(pk=job.pk).state == JobState.RUNNING
    Job.objects.filter(pk=job.pk).update(heartbeat_at=None)  # stale: another worker may take it
    Job.objects.filter(pk=job.pk).update(heartbeat_at="2000-01-01T00:00:00Z")
    assert jobs.execute(job.pk) == JobState.SUCCEEDED
    batch.refresh_from_db()
    assert (batch.state, batch.created_count, batch.skipped_count) == (ImportState.DONE, 9, 1)
    assert Client.objects.filter(workspace=admin.workspace).count() == 9


# --- Undo ------------------------------------------------------------------------------


def test_undo_deletes_created_clients_and_restores_updated_ones(personas):
    admin = personas.admin
    known = client_create(
        admin,
        kind="company",
        values={
            "name": "Known",
            "inn": company_inn(20),
            "phones": "+79161234567",
            "addresses": [{"city": "Москва"}],
            "tags": "old",
        },
    )
    text = f"Name;INN;Phone;Region;City;Tags\nRenamed;{company_inn(20)};+7 903 111-22-33;МО;;new\nFresh;;;;Тверь;\n"
    batch = run_import(admin, csv_upload(text), policy="update")
    known.refresh_from_db()
    assert (known.name, known.region, known.phones.count(), known.tags.count()) == ("Renamed", "МО", 2, 2)
    result = undo(admin, batch)
    assert result == {"import": batch.pk, "removed": 1, "restored": 1, "kept": 0}
    assert batch.state == ImportState.UNDONE
    known.refresh_from_db()
    assert (known.name, known.city, known.region, known.primary_phone) == ("Known", "Москва", "", "+79161234567")
    assert list(known.phones.values_list("number", flat=True)) == ["+79161234567"]
    assert list(known.tags.values_list("name", flat=True)) == ["old"]
    assert not Client.objects.filter(name="Fresh").exists()
    event = Event.objects.get(kind="import.undone", target_id=batch.pk)
    assert (event.data["removed"], event.data["restored"]) == (1, 1)
    with pytest.raises(ValidationError):
        import_undo(admin, batch.pk)  # once is enough


def test_undo_keeps_clients_changed_since_the_import(personas):
    admin = personas.admin
    batch = run_import(admin, csv_upload(f"Name;INN\nKeep me;{company_inn(21)}\nDrop me;{company_inn(22)}\n"))
    kept = Client.objects.get(name="Keep me")
    client_update(admin, kept.pk, version=kept.version, values={"note": "called them"})
    assert undo(admin, batch) == {"import": batch.pk, "removed": 1, "restored": 0, "kept": 1}
    assert Client.objects.filter(pk=kept.pk).exists()
    assert messages_of(rows_of(batch)[1]) == "Not undone: the client was changed after the import."


def test_undoing_a_later_import_first_lets_the_earlier_one_be_undone(personas):
    admin = personas.admin
    first = run_import(admin, csv_upload(f"Name;INN\nA;{company_inn(23)}\n"))
    second = run_import(admin, csv_upload(f"Name;INN;Note\nA;{company_inn(23)};later\n"), policy="update")
    assert second.updated_count == 1
    assert undo(admin, second)["restored"] == 1
    assert undo(admin, first)["removed"] == 1
    assert not Client.objects.filter(workspace=admin.workspace).exists()


def test_an_interrupted_undo_resumes_without_touching_what_is_done(personas, monkeypatch):
    admin = personas.admin
    client_create(admin, kind="company", values={"name": "Known", "inn": company_inn(25)})
    text = f"Name;INN;Note\nKnown;{company_inn(25)};updated\nNew 1;;\nNew 2;;\n"
    batch = run_import(admin, csv_upload(text), policy="update")
    monkeypatch.setattr(pipeline, "UNDO_CHUNK_SIZE", 1)
    real_chunk = pipeline._undo_chunk
    calls = {"n": 0}

    def crash_on_the_last_chunk(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        real_chunk(*args)

    monkeypatch.setattr(pipeline, "_undo_chunk", crash_on_the_last_chunk)
    job = import_undo(admin, batch.pk)
    assert jobs.execute(job.pk) == JobState.FAILED
    batch.refresh_from_db()
    assert batch.state == ImportState.UNDOING
    assert set(Client.objects.filter(workspace=admin.workspace).values_list("name", "note")) == {("Known", "updated")}
    monkeypatch.setattr(pipeline, "_undo_chunk", real_chunk)
    assert undo(admin, batch) == {"import": batch.pk, "removed": 2, "restored": 1, "kept": 0}
    assert set(Client.objects.filter(workspace=admin.workspace).values_list("name", "note")) == {("Known", "")}


def test_an_interrupted_import_can_be_undone(personas, monkeypatch):
    admin = personas.admin
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    batch = import_upload(admin, kind="company", upload=csv_upload(_five_chunks()))
    job = import_start(admin, batch.pk)
    Job.objects.filter(pk=job.pk).update(state=JobState.CANCELLED)  # cancelled before it ran
    batch.refresh_from_db()
    assert undo(admin, batch)["removed"] == 0
    assert batch.state == ImportState.UNDONE


# --- Bad files -------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"  \r\n\r\n", "blank.csv", "The file is empty."),
        (PNG, "photo.csv", "The file “photo.csv” is not a table: it contains binary data."),
        (b"\xef\xbb\xbfName;INN\nA;\xff\xfe\n", "bad.csv", "it is marked as UTF-8, but line 2 contains bytes"),
        (b"Name;INN\n", "header.csv", "The file has column titles but no rows of data."),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken\r\n", "broken.vcf", "None of the cards in the file can be read"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "The Excel file cannot be read"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_is_stored(personas, content, name, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as caught:
        import_upload(personas.admin, kind="company", upload=SimpleUploadedFile(name, content))
    assert message in caught.value.message_dict["file"][0]
    assert not ImportBatch.objects.exists()
    assert not Client.objects.filter(workspace=personas.admin.workspace).exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(personas, settings):
    settings.RELATA_IMPORT_MAX_BYTES = 1024 * 1024
    text = "Name\n" + "x" * (1024 * 1024 + 10) + "\n"
    with pytest.raises(ValidationError) as caught:
        import_upload(personas.admin, kind="company", upload=csv_upload(text))
    assert caught.value.message_dict["file"] == [
        "The file is 1.1 MB, more than the limit of 1 MB. Split it into smaller files."
    ]
    assert not ImportBatch.objects.exists()


def test_a_vcard_with_one_broken_card_imports_the_others(personas):
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Good;One;;;\r\nFN:One Good\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Broken\r\nFN:Lost\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Fine;Two;;;\r\nFN:Two Fine\r\nEND:VCARD\r\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    batch = run_import(personas.admin, SimpleUploadedFile("c.vcf", text.encode()), kind="person")
    rows = rows_of(batch)
    assert (batch.created_count, batch.failed_count) == (2, 1)
    assert messages_of(rows[2]) == "Card 2 cannot be read: it has no END:VCARD line before the next card."


def test_a_stored_file_that_disappeared_fails_the_import_clearly(personas):
    admin = personas.admin
    batch = import_upload(admin, kind="company", upload=csv_upload(f"Name;INN\nA;{company_inn(24)}\n"))
    batch.file.storage.delete(batch.file.name)
    job = import_start(admin, batch.pk)
    assert jobs.execute(job.pk) == JobState.FAILED
    job.refresh_from_db()
    batch.refresh_from_db()
    assert (batch.state, job.error) == (ImportState.FAILED, "The uploaded file is no longer available.")


# --- Permissions -----------------------------------------------------------------------


def test_importing_needs_the_import_permission(personas):
    from django.core.exceptions import PermissionDenied

    for member in (personas.manager1, personas.readonly):
        with pytest.raises(PermissionDenied):
            import_upload(member, kind="company", upload=csv_upload("Name\nA\n"))


def test_the_update_policy_needs_the_change_permission(personas):
    role = Role.objects.get(workspace=personas.admin.workspace, key="marketer")
    role.permissions = [*role.permissions, "clients.create"]  # import and create, but not change
    role.save()
    from conftest import add_member

    marketer = add_member(personas.admin, "mk@alpha.test", "Mark Eter", "marketer", None)
    batch = import_upload(marketer, kind="company", upload=csv_upload("Name\nA\n"))
    with pytest.raises(ValidationError) as caught:
        import_configure(marketer, batch.pk, policy="update")
    assert caught.value.message_dict["policy"] == ["Updating existing clients needs the permission to change clients."]


def test_giving_clients_to_colleagues_needs_the_assign_permission(personas):
    role = Role.objects.get(workspace=personas.admin.workspace, key="sales_manager")
    role.permissions = [*role.permissions, "clients.import"]
    role.save()
    manager1 = type(personas.manager1).objects.select_related("role", "workspace", "user").get(pk=personas.manager1.pk)
    text = "Name;Owner\nMine;m1@alpha.test\nTheirs;m2@alpha.test\n"
    batch = run_import(manager1, csv_upload(text))
    rows = rows_of(batch)
    assert (rows[1].action, rows[2].action) == ("created", "failed")
    assert rows[2].errors[0]["column"] == "Owner" and "assign" in messages_of(rows[2])
    assert not ClientPhone.objects.exists()
