"""The duplicate finder: its signals, its scope, its rescans, and the pages and API that
show its pairs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from relata.clients.models import Client, DuplicatePair
from relata.clients.services import duplicates as finder
from relata.clients.services.clients import client_create, client_update
from relata.clients.services.duplicates import (
    duplicate_dismiss,
    duplicates_find,
    duplicates_scan_start,
    name_similarity,
    pair_score,
    reason_labels,
)
from relata.core import jobs
from relata.core.models import Event, JobState

INN_A, INN_B = "7707083893", "3982597915"


def company(actor: Any, name: str, **values: Any) -> Client:
    return client_create(actor, kind="company", values={"name": name, **values})


def person(actor: Any, last: str, first: str, **values: Any) -> Client:
    return client_create(actor, kind="person", values={"last_name": last, "first_name": first, **values})


def pairs() -> dict[tuple[int, int], DuplicatePair]:
    return {(p.client_a_id, p.client_b_id): p for p in DuplicatePair.objects.all()}


def key(a: Client, b: Client) -> tuple[int, int]:
    return (min(a.pk, b.pk), max(a.pk, b.pk))


# --- Signals --------------------------------------------------------------------------


def test_exact_matches_each_give_their_reason_and_score(personas):
    admin = personas.admin
    by_inn = company(admin, "Альфа", inn=INN_A), company(admin, "Омега", inn=INN_A)
    by_phone = company(admin, "Берёза", phones=["+7 916 100-00-01"]), company(admin, "Сосна", phones=["89161000001"])
    by_email = (
        person(admin, "Петров", "Олег", emails=["OLEG@example.test"]),
        person(admin, "Сидоров", "Иван", emails=["oleg@example.test"]),
    )
    # A person sharing a company's phone is its contact, not its duplicate (different kinds).
    person(admin, "Кузнецова", "Анна", phones=["+7 916 100-00-01"])
    result = duplicates_find(admin)
    found = pairs()
    assert set(found) == {key(*by_inn), key(*by_phone), key(*by_email)}
    assert (found[key(*by_inn)].reasons, found[key(*by_inn)].score) == (["same_inn"], 95)
    assert (found[key(*by_phone)].reasons, found[key(*by_phone)].score) == (["same_phone"], 70)
    assert (found[key(*by_email)].reasons, found[key(*by_email)].score) == (["same_email"], 80)
    assert (
        result["pairs"] == 3
        and result["new"] == 3
        and result["by_reason"]
        == {
            "same_inn": 1,
            "same_phone": 1,
            "same_email": 1,
        }
    )


def test_signals_combine_into_one_pair_with_a_higher_score(personas):
    a = company(personas.admin, "ООО «Кирпичный двор»", inn=INN_A, phones=["+7 916 100-00-01"])
    b = company(personas.admin, "Кирпичный Двор ООО", inn=INN_A, phones=["+7 916 100-00-01"])
    duplicates_find(personas.admin)
    pair = pairs()[key(a, b)]
    assert pair.reasons == ["same_inn", "same_phone", "similar_name:100"]
    assert pair.score == 100
    with translation.override("en"):
        assert reason_labels(pair.reasons) == ["Same INN", "Same phone", "Similar names (100%)"]


def test_branches_with_their_own_kpp_are_not_duplicates(personas):
    company(personas.admin, "Завод", inn=INN_A, kpp="770701001")
    company(personas.admin, "Завод, филиал в Туле", inn=INN_A, kpp="710501001")
    no_kpp = company(personas.admin, "Завод (старая карточка)", inn=INN_A)
    duplicates_find(personas.admin)
    # Only the card without a KPP can be either of them.
    assert all(no_kpp.pk in pair for pair in pairs()) and len(pairs()) == 2


def test_near_identical_names_are_paired_and_different_ones_stay_apart(personas):
    admin = personas.admin
    quoted = company(admin, "ООО «Кирпичный двор»")
    reordered = company(admin, "Кирпичный Двор ООО")
    latin = company(admin, "Kirpich Dvor LLC")
    concrete = company(admin, "Бетонный двор")
    shop5, shop6 = company(admin, "Магазин Строитель 5"), company(admin, "Магазин Строитель 6")
    duplicates_find(admin)
    found = pairs()
    assert key(quoted, reordered) in found and key(quoted, latin) in found and key(reordered, latin) in found
    assert found[key(quoted, reordered)].reasons == ["similar_name:100"]
    assert found[key(quoted, latin)].reasons[0].startswith("similar_name:9")
    assert not any(concrete.pk in pair for pair in found)
    assert key(shop5, shop6) not in found  # numbers differ: two shops, not one


def test_name_similarity_judges_like_the_finder():
    assert name_similarity("ООО «Кирпичный двор»", "Кирпичный Двор ООО") == 100
    assert name_similarity("Яндекс", "Yandex LLC") == 100
    assert name_similarity("Кирпичный двор", "Kirpich Dvor") >= finder.NAME_THRESHOLD
    assert name_similarity("Кирпичный двор", "Бетонный двор") < 50
    assert name_similarity("Технопарк", "Технопром") < finder.NAME_THRESHOLD
    assert name_similarity("Магазин 5", "Магазин 6") == 0
    assert name_similarity("Петров Пётр", "Petrov Petr", kind="person") == 100


def test_scores_combine_independent_evidence():
    assert pair_score(["same_inn"], "company") == 95
    assert pair_score(["similar_name:100"], "company") == 80
    assert pair_score(["similar_name:100"], "person") == 60  # namesakes are common among people
    assert pair_score(["same_phone", "same_email"], "person") == 94


def test_near_identical_names_are_found_among_many_others(personas, monkeypatch):
    """The sorted neighbourhood still meets a typo among hundreds of other names, and a
    difference in the first letters (the pass over the reversed keys)."""
    monkeypatch.setattr(finder, "WINDOW", 3)
    admin = personas.admin
    from relata.clients.models import LifecycleStatus

    status = LifecycleStatus.objects.filter(workspace=admin.workspace).first()
    filler = [
        Client(
            workspace=admin.workspace,
            kind="company",
            name=f"Компания {word}",
            match_name=f"компания {word}",
            status=status,
            owner=admin.user,
        )
        for word in (f"{chr(0x430 + i % 32)}{chr(0x430 + (i * 7) % 32)}{i:04d}" for i in range(400))
    ]
    Client.objects.bulk_create(filler)
    typo = company(admin, "Северная звезда"), company(admin, "Северная звизда")
    first_letter = company(admin, "Глобус Торг"), company(admin, "Клобус Торг")
    duplicates_find(admin)
    assert key(*typo) in pairs() and key(*first_letter) in pairs()
    assert len(pairs()) == 2  # the numbered fillers differ by their numbers


def test_a_value_shared_by_too_many_clients_is_left_out(personas, monkeypatch):
    monkeypatch.setattr(finder, "MAX_GROUP", 3)
    for n in range(4):
        person(personas.admin, f"Клиент{n}", "Колл-центр", phones=["+7 800 555-35-35"])
    result = duplicates_find(personas.admin)
    assert pairs() == {} and result["skipped_groups"] == 1


# --- Scope and rescans ----------------------------------------------------------------


def test_a_managers_scan_never_pairs_with_a_colleagues_client(personas):
    mine = company(personas.manager1, "Кирпичный двор", phones=["+7 916 100-00-01"])
    company(personas.manager1, "Бетонный двор")
    theirs = company(personas.manager2, "Кирпичный двор", phones=["+7 916 100-00-01"])
    duplicates_find(personas.manager1)
    assert pairs() == {}
    # The administrator sees both; the pair is theirs, and manager 1's rescan leaves it
    # alone (and never shows it: manager 1 cannot see manager 2's client).
    duplicates_find(personas.admin)
    assert set(pairs()) == {key(mine, theirs)}
    duplicates_find(personas.manager1)
    assert set(pairs()) == {key(mine, theirs)}
    from relata.clients.selectors.duplicates import duplicate_pairs_visible_to

    assert list(duplicate_pairs_visible_to(personas.manager1)) == []
    assert [p.pk for p in duplicate_pairs_visible_to(personas.head)] == [pairs()[key(mine, theirs)].pk]


def test_rescans_are_idempotent_and_dismissed_pairs_stay_dismissed(personas):
    a = company(personas.admin, "Альфа", inn=INN_A)
    b = company(personas.admin, "Альфа плюс", inn=INN_A)
    c, d = (
        person(personas.admin, "Орлов", "Ян", phones=["+7 916 200-00-02"]),
        person(personas.admin, "Орлова", "Яна", phones=["+7 916 200-00-02"]),
    )
    duplicates_find(personas.admin)
    first = {k: (p.pk, p.score, p.reasons) for k, p in pairs().items()}
    again = duplicates_find(personas.admin)
    assert {k: (p.pk, p.score, p.reasons) for k, p in pairs().items()} == first
    assert (again["new"], again["removed"]) == (0, 0)
    duplicate_dismiss(personas.admin, pairs()[key(a, b)].pk)
    result = duplicates_find(personas.admin)
    assert pairs()[key(a, b)].status == "dismissed" and result["dismissed"] == 1
    assert pairs()[key(c, d)].status == "open"
    assert Event.objects.filter(kind="duplicate.dismissed").count() == 1


def test_a_pair_no_longer_found_is_removed(personas):
    a = company(personas.admin, "Альфа", phones=["+7 916 100-00-01"])
    b = company(personas.admin, "Омега", phones=["+7 916 100-00-01"])
    duplicates_find(personas.admin)
    assert key(a, b) in pairs()
    client_update(personas.admin, b.pk, version=b.version, values={"phones": ["+7 916 100-00-02"]})
    result = duplicates_find(personas.admin)
    assert pairs() == {} and result["removed"] == 1


def test_a_scan_of_one_kind_leaves_the_other_kinds_pairs(personas):
    company(personas.admin, "Альфа", inn=INN_A), company(personas.admin, "Омега", inn=INN_A)
    person(personas.admin, "Орлов", "Ян", phones=["+7 916 200-00-02"])
    person(personas.admin, "Соколов", "Ян", phones=["+7 916 200-00-02"])
    duplicates_find(personas.admin)
    assert len(pairs()) == 2
    client = Client.objects.get(name="Омега")
    client_update(personas.admin, client.pk, version=client.version, values={"inn": INN_B})
    duplicates_find(personas.admin, kind="person")
    assert len(pairs()) == 2  # the companies' pair waits for a scan of companies
    duplicates_find(personas.admin, kind="company")
    assert len(pairs()) == 1


# --- The job --------------------------------------------------------------------------


def test_the_scan_runs_as_a_job_with_progress_and_figures(personas):
    company(personas.manager1, "Альфа", inn=INN_A), company(personas.manager1, "Омега", inn=INN_A)
    job = duplicates_scan_start(personas.manager1)
    assert duplicates_scan_start(personas.manager1).pk == job.pk  # one at a time per member
    assert jobs.execute(job.pk) == JobState.SUCCEEDED
    job.refresh_from_db()
    assert job.result["pairs"] == 1 and job.result["clients"] == 2
    assert job.progress_done == job.progress_total
    assert duplicates_scan_start(personas.manager1).pk != job.pk


def test_scanning_and_dismissing_need_the_change_permission(personas):
    a, b = company(personas.admin, "Альфа", inn=INN_A), company(personas.admin, "Омега", inn=INN_A)
    with pytest.raises(PermissionDenied):
        duplicates_scan_start(personas.readonly)
    with pytest.raises(PermissionDenied):
        duplicates_find(personas.readonly)
    duplicates_find(personas.admin)
    with pytest.raises(PermissionDenied):
        duplicate_dismiss(personas.readonly, pairs()[key(a, b)].pk)
    assert pairs()[key(a, b)].status == "open"
    with pytest.raises(ValidationError) as error:
        duplicates_scan_start(personas.admin, kind="robot")
    assert "kind" in error.value.message_dict


# --- Pages ----------------------------------------------------------------------------


def test_the_list_shows_pairs_with_their_reasons_in_words(personas, client_as):
    a = company(personas.manager1, "ООО «Кирпичный двор»", inn=INN_A)
    b = company(personas.manager1, "Кирпичный Двор ООО", inn=INN_A)
    duplicates_find(personas.admin)
    page = client_as(personas.manager1).get("/clients/duplicates/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Same INN" in body and "Similar names (100%)" in body and 'data-testid="duplicate-score">99<' in body
    assert f"?a={a.pk}&amp;b={b.pk}" in body  # compare and merge
    assert "Кирпичный двор" not in client_as(personas.manager2).get("/clients/duplicates/").content.decode()
    only_people = client_as(personas.manager1).get("/clients/duplicates/", {"kind": "person"}).content.decode()
    assert "Same INN" not in only_people
    other = company(personas.manager1, "Прочая", phones=["+7 916 400-00-04"])
    company(personas.manager1, "Прочая 2", phones=["+7 916 400-00-04"])
    duplicates_find(personas.admin)
    of_one = client_as(personas.manager1).get("/clients/duplicates/", {"client": other.pk}).content.decode()
    assert 'data-testid="duplicates-of"' in of_one and "Прочая 2" in of_one and "Кирпичный" not in of_one


def test_the_list_runs_a_fixed_number_of_queries(personas, client_as):
    client = client_as(personas.admin)

    def count() -> int:
        duplicates_find(personas.admin)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/clients/duplicates/").status_code == 200
        return len(queries)

    company(personas.admin, "Альфа", inn=INN_A), company(personas.admin, "Альфа 2", inn=INN_A)
    client.get("/clients/duplicates/")  # per-process caches (content types…) warmed up
    few = count()
    for n in range(4):
        company(personas.admin, f"Бета {n}", phones=[f"+7 916 300-00-0{n % 2}"])
    many = count()
    assert DuplicatePair.objects.count() == 3
    assert many == few


def test_starting_a_scan_from_the_page_and_watching_it(personas, client_as, django_capture_on_commit_callbacks):
    company(personas.admin, "Альфа", inn=INN_A), company(personas.admin, "Омега", inn=INN_A)
    client = client_as(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/clients/duplicates/scan/", {"kind": ""})
    assert response.status_code == 302 and response["Location"] == "/clients/duplicates/"
    assert DuplicatePair.objects.count() == 1
    page = client.get("/clients/duplicates/").content.decode()
    assert "Last search" in page and "2 clients compared, 1 possible duplicates (1 new)" in page
    watch = client.get("/clients/duplicates/scan/", {"running": "1"}, headers={"HX-Request": "true"})
    assert watch.status_code == 200 and watch["HX-Refresh"] == "true"  # finished: the list reloads
    assert client_as(personas.readonly).post("/clients/duplicates/scan/").status_code == 403


def test_dismissing_and_reopening_from_the_page(personas, client_as):
    a, b = company(personas.manager1, "Альфа", inn=INN_A), company(personas.manager1, "Омега", inn=INN_A)
    duplicates_find(personas.admin)
    pair = pairs()[key(a, b)]
    client = client_as(personas.manager1)
    response = client.post(f"/clients/duplicates/{pair.pk}/dismiss/", {"next": "/clients/duplicates/?kind=company"})
    assert response.status_code == 302 and response["Location"] == "/clients/duplicates/?kind=company"
    pair.refresh_from_db()
    assert pair.status == "dismissed"
    assert "Омега" not in client.get("/clients/duplicates/").content.decode()
    assert "Омега" in client.get("/clients/duplicates/", {"status": "dismissed"}).content.decode()
    response = client.post(f"/clients/duplicates/{pair.pk}/reopen/", {"next": "https://evil.example/"})
    assert response["Location"] == "/clients/duplicates/"
    pair.refresh_from_db()
    assert pair.status == "open"
    assert client_as(personas.manager2).post(f"/clients/duplicates/{pair.pk}/dismiss/").status_code == 404


# --- API ------------------------------------------------------------------------------


def test_the_api_scans_lists_and_dismisses(personas, api_as, django_capture_on_commit_callbacks):
    a, b = company(personas.manager1, "Альфа", inn=INN_A), company(personas.manager1, "Омега", inn=INN_A)
    person(personas.manager1, "Орлов", "Ян", phones=["+7 916 200-00-02"])
    person(personas.manager1, "Соколов", "Ян", phones=["+7 916 200-00-02"])
    api = api_as(personas.manager1)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post("/api/v1/clients/duplicates/scan", {})
    assert started.status_code == 202, started.content
    job = started.json()
    assert job["kind"] == "clients.find_duplicates"
    assert api.get(f"/api/v1/jobs/{job['id']}").json()["result"]["pairs"] == 2  # eager in tests
    listing = api.get("/api/v1/clients/duplicates", {"kind": "company"}).json()
    assert listing["count"] == 1
    item = listing["items"][0]
    assert (item["client_a"]["id"], item["client_b"]["id"]) == (a.pk, b.pk)
    assert item["reasons"] == ["same_inn"] and item["reason_labels"] == ["Same INN"] and item["score"] == 95
    dismissed = api.post(f"/api/v1/clients/duplicates/{item['id']}/dismiss").json()
    assert dismissed["status"] == "dismissed"
    assert api.get("/api/v1/clients/duplicates", {"status": "open"}).json()["count"] == 1
    assert api.get("/api/v1/clients/duplicates", {"client_id": a.pk}).json()["count"] == 1
    assert api.post(f"/api/v1/clients/duplicates/{item['id']}/reopen").json()["status"] == "open"
    assert api_as(personas.manager2).post(f"/api/v1/clients/duplicates/{item['id']}/dismiss").status_code == 404
    bad = api.get("/api/v1/clients/duplicates", {"min_score": 101})
    assert bad.status_code == 422 and "min_score" in bad.json()["error"]["fields"]
    bad = api.post("/api/v1/clients/duplicates/scan", {"kind": "robot"})
    assert bad.status_code == 422 and "kind" in bad.json()["error"]["fields"]


def test_alike_names_with_different_inns_are_two_companies(personas):
    from relata.clients.models import DuplicatePair
    from relata.clients.services.clients import client_create
    from relata.clients.services.duplicates import duplicates_find

    admin = personas.admin
    a = client_create(admin, kind="company", values={"name": "ООО «ГарантИнвест»", "inn": "7707083893"})
    b = client_create(admin, kind="company", values={"name": "ООО «ГарантИнвест»", "inn": "7736050003"})
    c = client_create(admin, kind="company", values={"name": "Гарант Инвест"})  # no INN: may be either
    duplicates_find(admin)
    pairs = {(p.client_a_id, p.client_b_id) for p in DuplicatePair.objects.all()}
    assert (a.pk, b.pk) not in pairs
    assert (a.pk, c.pk) in pairs and (b.pk, c.pk) in pairs
