"""Leads: typed in and through the API, matched to known clients by phone, e-mail or INN
in any format, qualified into a client and a deal without duplicates, rejected with a
reason; stale versions refused; pages and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client as Browser
from django.urls import reverse

from relata.activities.tests.helpers import company
from relata.clients.models import Client, ClientKind, Employment
from relata.clients.services.clients import client_create
from relata.core.concurrency import StaleVersion
from relata.core.models import Event
from relata.sales.models import Deal, DealContact, Lead, LeadSource, LeadStatus
from relata.sales.services.leads import lead_create, lead_delete, lead_qualify, lead_reject, lead_update
from relata.sales.tests.helpers import pipeline, stages

INN = "7707083893"  # a valid organisation INN


def test_a_typed_lead_is_normalised_and_owned_by_its_creator(personas):
    lead = lead_create(
        personas.manager1,
        values={"contact_name": " Ольга ", "phone": "8 (916) 123-45-67", "email": " Olga@Example.COM ", "inn": INN},
    )
    assert (lead.phone, lead.email, lead.inn, lead.contact_name) == ("+79161234567", "olga@example.com", INN, "Ольга")
    assert lead.phone_display == "+7 916 123-45-67"
    assert lead.owner_id == lead.created_by_id == personas.manager1.user_id
    assert lead.source == LeadSource.MANUAL and lead.status == LeadStatus.NEW and lead.client is None
    assert Event.objects.filter(kind="lead.created", target_id=lead.pk).exists()


def test_bad_values_are_named_and_nothing_is_written(personas):
    with pytest.raises(ValidationError) as caught:
        lead_create(personas.manager1, values={"phone": "12", "email": "no-at-sign", "inn": "1234567890"})
    assert set(caught.value.message_dict) == {"phone", "email", "inn"}
    with pytest.raises(ValidationError) as caught:
        lead_create(personas.manager1, values={"contact_name": "Без контактов"})
    assert {"phone", "email"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        lead_create(personas.manager1, values={"phone": "+79161234567", "source": "pigeon"})
    assert "source" in caught.value.message_dict
    assert not Lead.objects.exists()


def test_read_only_users_cannot_create(personas):
    with pytest.raises(PermissionDenied):
        lead_create(personas.readonly, values={"phone": "+79161234567"})
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ("+7 916 555-44-33", "phone"),
        ("8-916-555-44-33", "phone"),
        ("(916) 5554433", "phone"),
        ("ZAKAZ@Stroy.ru", "email"),
        ("7707 083 893", "inn"),
    ],
)
def test_a_lead_of_a_known_client_is_linked_whatever_the_format(personas, typed, field):
    known = client_create(
        personas.manager2,
        kind=ClientKind.COMPANY,
        values={"name": "СтройДвор", "inn": INN, "phones": ["+79165554433"], "emails": ["zakaz@stroy.ru"]},
    )
    values = {field: typed} if field != "inn" else {"inn": typed, "email": "someone@else.ru"}
    lead = lead_create(personas.manager1, values=values)
    assert lead.client_id == known.pk


def test_a_changed_phone_looks_for_the_client_again(personas):
    lead = lead_create(personas.manager1, values={"phone": "+79161112233"})
    known = company(personas.manager1, "Кирпичный двор", phones=["+7 916 777-66-55"])
    lead = lead_update(personas.manager1, lead.pk, version=lead.version, values={"phone": "89167776655"})
    assert lead.client_id == known.pk and lead.version == 2


def test_a_stale_edit_is_refused(personas):
    lead = lead_create(personas.manager1, values={"phone": "+79161112233"})
    lead_update(personas.head, lead.pk, version=1, values={"contact_name": "Пётр"})
    with pytest.raises(StaleVersion):
        lead_update(personas.manager1, lead.pk, version=1, values={"contact_name": "Павел"})
    assert Lead.objects.get(pk=lead.pk).contact_name == "Пётр"


def test_other_managers_and_workspaces_do_not_see_the_lead(personas):
    lead = lead_create(personas.manager1, values={"phone": "+79161112233"})
    for member in (personas.manager2, personas.other):
        with pytest.raises(Http404):
            lead_update(member, lead.pk, version=1, values={"contact_name": "x"})


def test_qualify_creates_company_person_and_deal_in_one_step(personas):
    m1 = personas.manager1
    lead = lead_create(
        m1,
        values={
            "contact_name": "Ольга Петрова",
            "company_name": "ООО «Новый двор»",
            "phone": "+79161234567",
            "email": "olga@dvor.ru",
            "inn": INN,
            "message": "Нужен кирпич",
        },
    )
    lead = lead_qualify(m1, lead.pk, version=lead.version, values={"amount": "15000"})
    assert lead.status == LeadStatus.QUALIFIED and lead.closed_at is not None
    firm = Client.objects.get(kind=ClientKind.COMPANY)
    person = Client.objects.get(kind=ClientKind.PERSON)
    assert (firm.name, firm.inn, firm.owner_id) == ("ООО «Новый двор»", INN, m1.user_id)
    assert person.primary_phone == "+79161234567" and person.primary_email == "olga@dvor.ru"
    assert Employment.objects.filter(person=person, company=firm).exists()
    deal = Deal.objects.get()
    assert lead.client_id == firm.pk and lead.deal_id == deal.pk
    assert deal.client_id == firm.pk and str(deal.amount) == "15000.00" and deal.description == "Нужен кирпич"
    assert deal.pipeline == pipeline(m1) and deal.stage == stages(m1)[0]
    assert list(DealContact.objects.values_list("person_id", flat=True)) == [person.pk]
    event = Event.objects.get(kind="lead.qualified")
    assert event.data["created_clients"] == [firm.pk, person.pk]


def test_qualify_reuses_the_known_client_and_creates_no_duplicate(personas):
    m1 = personas.manager1
    known = client_create(m1, kind=ClientKind.PERSON, values={"name": "Ольга Петрова", "phones": ["+79161234567"]})
    lead = lead_create(m1, values={"contact_name": "Ольга", "phone": "8 916 123 45 67"})
    assert lead.client_id == known.pk
    clients_before = Client.objects.count()
    lead = lead_qualify(m1, lead.pk, version=lead.version, values={"title": "Повторный заказ"})
    assert Client.objects.count() == clients_before
    assert lead.client_id == known.pk and Deal.objects.get().client_id == known.pk
    assert Deal.objects.get().title == "Повторный заказ"
    # A second lead from the same company by INN, qualified later, also reuses it.
    firm = company(m1, "ООО «Двор»", inn=INN)
    second = lead_create(m1, values={"company_name": "Двор", "inn": INN, "email": "new@dvor.ru"})
    assert second.client_id == firm.pk
    lead_qualify(m1, second.pk, version=second.version, values={})
    assert Client.objects.filter(kind=ClientKind.COMPANY).count() == 1


def test_a_client_created_after_the_lead_is_still_reused(personas):
    m1 = personas.manager1
    lead = lead_create(m1, values={"contact_name": "Иван", "email": "ivan@site.ru"})
    known = client_create(m1, kind=ClientKind.PERSON, values={"name": "Иван Иванов", "emails": ["IVAN@site.ru"]})
    lead = lead_qualify(m1, lead.pk, version=lead.version, values={})
    assert lead.client_id == known.pk and Client.objects.filter(kind=ClientKind.PERSON).count() == 1


def test_a_known_client_the_user_cannot_see_refuses_the_qualification(personas):
    hidden = client_create(
        personas.manager2, kind=ClientKind.PERSON, values={"name": "Чужой", "phones": ["+79160001122"]}
    )
    lead = lead_create(personas.manager1, values={"contact_name": "Чужой", "phone": "+79160001122"})
    assert lead.client_id == hidden.pk  # linked: the workspace knows the client
    with pytest.raises(ValidationError) as caught:
        lead_qualify(personas.manager1, lead.pk, version=lead.version, values={})
    assert "client" in caught.value.message_dict
    assert Client.objects.count() == 1 and not Deal.objects.exists()
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_a_failing_deal_rolls_back_the_new_clients(personas):
    m1 = personas.manager1
    lead = lead_create(m1, values={"contact_name": "Ольга", "company_name": "Двор", "phone": "+79161234567"})
    with pytest.raises(ValidationError) as caught:
        lead_qualify(m1, lead.pk, version=lead.version, values={"pipeline": 999_999})
    assert "pipeline" in caught.value.message_dict
    assert not Client.objects.exists() and not Deal.objects.exists()
    with pytest.raises(ValidationError):
        lead_qualify(m1, lead.pk, version=lead.version, values={"amount": "-5"})
    assert not Client.objects.exists() and not Deal.objects.exists()


def test_qualify_needs_a_name_and_an_open_lead_and_the_current_version(personas):
    m1 = personas.manager1
    nameless = lead_create(m1, values={"phone": "+79161234567"})
    with pytest.raises(ValidationError):
        lead_qualify(m1, nameless.pk, version=1, values={})
    lead = lead_create(m1, values={"contact_name": "Ольга", "email": "olga@x.ru"})
    with pytest.raises(StaleVersion):
        lead_qualify(m1, lead.pk, version=7, values={})
    lead_qualify(m1, lead.pk, version=1, values={})
    with pytest.raises(StaleVersion):  # the second of two people qualifying at once
        lead_qualify(m1, lead.pk, version=1, values={})
    with pytest.raises(ValidationError):
        lead_qualify(m1, lead.pk, version=2, values={})
    assert Deal.objects.count() == 1 and Client.objects.count() == 1


def test_reject_needs_a_reason(personas):
    m1 = personas.manager1
    lead = lead_create(m1, values={"phone": "+79161234567"})
    for reason in ("", "   ", None, "x" * 301):
        with pytest.raises(ValidationError) as caught:
            lead_reject(m1, lead.pk, version=1, reason=reason)
        assert "reason" in caught.value.message_dict
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW
    lead = lead_reject(m1, lead.pk, version=1, reason="Spam or a test")
    assert lead.status == LeadStatus.REJECTED and lead.rejection_reason == "Spam or a test"
    assert Event.objects.filter(kind="lead.rejected", target_id=lead.pk).exists()
    with pytest.raises(ValidationError):
        lead_update(m1, lead.pk, version=2, values={"contact_name": "x"})
    with pytest.raises(StaleVersion):
        lead_reject(m1, lead.pk, version=1, reason="again")


def test_delete_needs_the_delete_permission(personas):
    lead = lead_create(personas.manager1, values={"phone": "+79161234567"})
    with pytest.raises(PermissionDenied):
        lead_delete(personas.manager1, lead.pk)
    lead_delete(personas.head, lead.pk)
    assert not Lead.objects.exists()


# --- Pages --------------------------------------------------------------------------------


def _browser(member) -> Browser:
    browser = Browser()
    browser.force_login(member.user)
    return browser


def test_list_filters_and_search(personas):
    m1 = personas.manager1
    lead_create(m1, values={"contact_name": "Ольга", "phone": "+79161234567"})
    lead_create(m1, values={"contact_name": "Борис", "email": "boris@x.ru", "source": "phone_call"})
    browser = _browser(m1)
    page = browser.get(reverse("sales:leads"))
    assert page.status_code == 200 and "Ольга" in page.text and "Борис" in page.text
    assert "+7 916 123-45-67" in page.text  # phones are shown formatted
    by_source = browser.get(reverse("sales:leads"), {"source": "phone_call"})
    assert "Борис" in by_source.text and "Ольга" not in by_source.text
    by_phone = browser.get(reverse("sales:leads"), {"q": "916 123"})
    assert "Ольга" in by_phone.text and "Борис" not in by_phone.text
    assert "Ольга" not in _browser(personas.manager2).get(reverse("sales:leads")).text


def test_create_page_shows_errors_and_saves(personas):
    browser = _browser(personas.manager1)
    bad = browser.post(reverse("sales:lead_new"), {"contact_name": "Ольга", "phone": "abc", "source": "manual"})
    assert bad.status_code == 400 and not Lead.objects.exists()
    good = browser.post(
        reverse("sales:lead_new"), {"contact_name": "Ольга", "phone": "8 916 123 45 67", "source": "manual"}
    )
    lead = Lead.objects.get()
    assert good.status_code == 302 and good["Location"] == reverse("sales:lead", args=[lead.pk])
    page = browser.get(reverse("sales:lead", args=[lead.pk]))
    assert page.status_code == 200 and "+7 916 123-45-67" in page.text and 'data-testid="qualify-form"' in page.text


def test_qualify_and_reject_pages(personas):
    m1 = personas.manager1
    browser = _browser(m1)
    lead = lead_create(m1, values={"contact_name": "Ольга", "phone": "+79161234567"})
    stale = browser.post(reverse("sales:lead_qualify", args=[lead.pk]), {"version": 5, "pipeline": pipeline(m1).pk})
    assert stale.status_code == 409 and not Deal.objects.exists()
    done = browser.post(reverse("sales:lead_qualify", args=[lead.pk]), {"version": 1, "pipeline": pipeline(m1).pk})
    deal = Deal.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("sales:deal", args=[deal.pk])
    other = lead_create(m1, values={"phone": "+79161234568"})
    empty = browser.post(reverse("sales:lead_reject", args=[other.pk]), {"version": 1, "reason": ""})
    assert empty.status_code == 400 and Lead.objects.get(pk=other.pk).status == LeadStatus.NEW
    rejected = browser.post(reverse("sales:lead_reject", args=[other.pk]), {"version": 1, "reason": "No budget"})
    assert rejected.status_code == 302 and Lead.objects.get(pk=other.pk).rejection_reason == "No budget"


# --- API ----------------------------------------------------------------------------------


def test_api_create_qualify_reject(personas, api_as):
    api = api_as(personas.manager1)
    created = api.post("/api/v1/leads", {"contact_name": "Ольга", "phone": "8 916 123-45-67", "utm_source": "ya"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["source"] == "api" and body["phone"] == "+79161234567" and body["utm_source"] == "ya"
    bad = api.post("/api/v1/leads", {"phone": "12", "email": "x"})
    assert bad.status_code == 422 and {"phone", "email"} <= set(bad.json()["error"]["fields"])
    assert Lead.objects.count() == 1
    stale = api.patch(f"/api/v1/leads/{body['id']}", {"version": 9, "contact_name": "x"})
    assert stale.status_code == 409
    qualified = api.post(f"/api/v1/leads/{body['id']}/qualify", {"version": 1, "amount": "100"})
    assert qualified.status_code == 200, qualified.json()
    assert qualified.json()["status"] == "qualified" and qualified.json()["deal_id"] == Deal.objects.get().pk
    second = api.post("/api/v1/leads", {"email": "b@x.ru"}).json()
    no_reason = api.post(f"/api/v1/leads/{second['id']}/reject", {"version": 1, "reason": " "})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["fields"]
    listed = api.get("/api/v1/leads", {"status": "new"}).json()
    assert [item["id"] for item in listed["items"]] == [second["id"]]


def test_api_hides_a_known_client_the_caller_cannot_see(personas, api_as):
    client_create(personas.manager2, kind=ClientKind.PERSON, values={"name": "Чужой", "phones": ["+79160001122"]})
    api = api_as(personas.manager1)
    created = api.post("/api/v1/leads", {"phone": "+79160001122"}).json()
    assert created["client_id"] is None
    assert api.get("/api/v1/leads").json()["items"][0]["client_id"] is None
    assert Lead.objects.get().client_id is not None


@pytest.mark.django_db(transaction=True)
def test_two_people_qualifying_at_once_make_one_deal(personas):
    """Real concurrent transactions (PostgreSQL): the lead row lock makes the second
    wait and then find a new version; SQLite serialises writers anyway."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions")
    import threading

    lead = lead_create(personas.manager1, values={"contact_name": "Ольга", "company_name": "Двор", "email": "o@d.ru"})
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def qualify(member) -> None:
        try:
            barrier.wait()
            lead_qualify(member, lead.pk, version=1, values={})
            outcomes.append("done")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=qualify, args=(m,)) for m in (personas.manager1, personas.head)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "stale"]
    assert Deal.objects.count() == 1 and Client.objects.count() == 2  # the company and its person


def test_the_list_takes_the_same_queries_for_more_leads(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    m1 = personas.manager1
    browser = _browser(m1)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(reverse("sales:leads")).status_code == 200
        return len(queries)

    known = company(m1, "Двор", phones=["+79161234500"])
    lead_create(m1, values={"contact_name": "Первый", "phone": "+79161234500"})
    browser.get(reverse("sales:leads"))  # warm the session and the caches
    one = count()
    for n in range(10):
        lead_create(m1, values={"contact_name": f"Лид {n}", "email": f"lead{n}@x.ru", "company_name": known.name})
    assert count() == one


def test_the_lead_page_does_not_name_a_client_the_user_cannot_see(personas):
    client_create(
        personas.manager2, kind=ClientKind.PERSON, values={"name": "Тайный Клиент", "phones": ["+79160001122"]}
    )
    lead = lead_create(personas.manager1, values={"contact_name": "Гость", "phone": "+79160001122"})
    page = _browser(personas.manager1).get(reverse("sales:lead", args=[lead.pk]))
    assert page.status_code == 200
    assert "Тайный Клиент" not in page.text and "a client you cannot see" in page.text
    seen = _browser(personas.admin).get(reverse("sales:lead", args=[lead.pk]))
    assert "Тайный Клиент" in seen.text
