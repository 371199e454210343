"""Companies and people through the API: profiles, normalisation, validation, scope,
optimistic locking, events."""

from __future__ import annotations

import pytest

from relata.clients.models import Client, ClientPhone, Employment, Tag
from relata.core.models import Event

GOOD_INN = "7707083893"


@pytest.fixture
def api(personas, api_as):
    return api_as(personas.manager1)


def create_company(api, **values):
    payload = {"name": "ООО «Кирпичный двор»", **values}
    response = api.post("/api/v1/companies", payload)
    assert response.status_code == 201, response.content
    return response.json()


def test_company_profile_is_normalised_and_returned(api, personas):
    company = create_company(
        api,
        inn=GOOD_INN,
        kpp="773601001",
        ogrn="1027700132195",
        website="kirpich.example",
        annual_revenue="125000000.50",
        headcount=120,
        phones=[{"number": "8 (916) 123-45-67", "kind": "mobile"}, {"number": "+7 495 123 45 67, доб. 12"}],
        emails=[{"email": " Sales@Kirpich.Example "}],
        addresses=[
            {"kind": "legal", "city": "Москва", "region": "Москва", "street": "ул. Ленина, 1", "postcode": "101000"}
        ],
        tags=["Кирпич", "опт", "кирпич"],
        messengers=[{"kind": "telegram", "handle": "@kirpich"}],
    )
    assert company["phones"][0]["number"] == "+79161234567"
    assert company["phones"][0]["formatted"] == "+7 916 123-45-67"
    assert company["phones"][1]["extension"] == "12"
    assert company["emails"][0]["email"] == "sales@kirpich.example"
    assert company["website"] == "https://kirpich.example"
    assert company["primary_phone"] == "+79161234567" and company["city"] == "Москва"
    assert company["tags"] == ["Кирпич", "опт"]
    assert company["owner"]["id"] == personas.manager1.user_id
    assert company["status"]["name"] == "Cold"
    event = Event.objects.get(kind="client.created", target_id=company["id"])
    assert event.changes["inn"] == [None, GOOD_INN]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"inn": "7707083894"}, "inn"),
        ({"inn": "12345"}, "inn"),
        ({"kpp": "7736АБ001"}, "kpp"),
        ({"ogrn": "1027700132194"}, "ogrn"),
        ({"phones": [{"number": "8 916 12"}]}, "phones.0"),
        ({"phones": [{"number": "+7 916 123 45 67"}, {"number": "telephone"}]}, "phones.1"),
        ({"emails": [{"email": "not-an-address"}]}, "emails.0"),
        ({"website": "ftp://files.example"}, "website"),
        ({"annual_revenue": "-5"}, "annual_revenue"),
        ({"name": ""}, "name"),
        ({"status_id": 999999}, "status"),
        ({"owner_id": 999999}, "owner"),
        ({"custom": {"no_such_field": 1}}, "custom.no_such_field"),
        ({"addresses": [{"city": "Москва", "country": "Russia"}]}, "addresses.0"),
    ],
)
def test_bad_values_name_the_field_and_nothing_is_written(api, values, field):
    events = Event.objects.count()
    response = api.post("/api/v1/companies", {"name": "ООО Тест", **values})
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert not Client.objects.exists()
    assert not ClientPhone.objects.exists() and not Tag.objects.exists()
    assert Event.objects.count() == events


def test_person_name_is_made_from_its_parts_and_linked_to_a_company(api):
    company = create_company(api)
    response = api.post(
        "/api/v1/people",
        {
            "last_name": "Иванова",
            "first_name": "Мария",
            "middle_name": "Петровна",
            "birthday": "1985-04-12",
            "gender": "female",
            "companies": [{"company_id": company["id"], "job_title": "Закупщик"}],
            "consents": [{"channel": "email", "granted": True, "source": "web form"}],
        },
    )
    assert response.status_code == 201, response.content
    person = response.json()
    assert person["name"] == "Иванова Мария Петровна"
    assert person["companies"] == [
        {
            "company": {"id": company["id"], "name": company["name"]},
            "job_title": "Закупщик",
            "department": "",
            "is_primary": False,
        }
    ]
    assert person["consents"][0]["channel"] == "email" and person["consents"][0]["granted"] is True
    staff = api.get(f"/api/v1/companies/{company['id']}").json()["staff"]
    assert [s["person"]["name"] for s in staff] == ["Иванова Мария Петровна"]


def test_a_person_inn_has_twelve_digits(api):
    response = api.post("/api/v1/people", {"last_name": "Петров", "inn": GOOD_INN})
    assert response.status_code == 422
    assert "12 digits" in response.json()["error"]["fields"]["inn"][0]


def test_patch_changes_only_what_is_sent_and_records_the_diff(api):
    company = create_company(api, inn=GOOD_INN, phones=[{"number": "+7 916 123-45-67"}])
    response = api.patch(f"/api/v1/companies/{company['id']}", {"version": company["version"], "headcount": 40})
    assert response.status_code == 200
    body = response.json()
    assert body["headcount"] == 40 and body["inn"] == GOOD_INN and body["phones"][0]["number"] == "+79161234567"
    assert body["version"] == company["version"] + 1
    event = Event.objects.get(kind="client.changed")
    assert event.changes == {"headcount": [None, 40]}


def test_stale_version_is_refused_with_the_current_values(api):
    company = create_company(api)
    api.patch(f"/api/v1/companies/{company['id']}", {"version": company["version"], "source": "exhibition"})
    response = api.patch(f"/api/v1/companies/{company['id']}", {"version": company["version"], "source": "call"})
    assert response.status_code == 409
    assert response.json()["error"]["current"]["source"] == "exhibition"
    assert Client.objects.get(pk=company["id"]).source == "exhibition"


def test_parent_company_cannot_make_a_cycle(api):
    top = create_company(api, name="Холдинг")
    middle = create_company(api, name="Дочка", parent_id=top["id"])
    bottom = create_company(api, name="Внучка", parent_id=middle["id"])
    response = api.patch(f"/api/v1/companies/{top['id']}", {"version": top["version"], "parent_id": bottom["id"]})
    assert response.status_code == 422
    assert "parent" in response.json()["error"]["fields"]
    assert Client.objects.get(pk=top["id"]).parent_id is None
    response = api.patch(f"/api/v1/companies/{top['id']}", {"version": top["version"], "parent_id": top["id"]})
    assert response.status_code == 422


def test_managers_with_scope_own_never_see_each_others_clients(personas, api_as):
    mine = create_company(api_as(personas.manager1), name="Северная", inn=GOOD_INN)
    theirs = api_as(personas.manager2)
    assert theirs.get("/api/v1/companies").json()["count"] == 0
    assert theirs.get(f"/api/v1/companies/{mine['id']}").status_code == 404
    assert theirs.get("/api/v1/clients/search", {"q": "Северн"}).json() == []
    assert theirs.get("/api/v1/clients/search", {"q": GOOD_INN}).json() == []
    assert theirs.patch(f"/api/v1/companies/{mine['id']}", {"version": 1, "source": "x"}).status_code == 404
    # The head of their team and the read-only user see it; another workspace does not.
    assert api_as(personas.head).get(f"/api/v1/companies/{mine['id']}").status_code == 200
    assert api_as(personas.readonly).get("/api/v1/companies").json()["count"] == 1
    assert api_as(personas.other).get(f"/api/v1/companies/{mine['id']}").status_code == 404


def test_giving_a_client_to_a_colleague_needs_the_assign_permission(personas, api_as):
    response = api_as(personas.manager1).post("/api/v1/companies", {"name": "X", "owner_id": personas.manager2.user_id})
    assert response.status_code == 403
    assert not Client.objects.exists()
    response = api_as(personas.head).post("/api/v1/companies", {"name": "X", "owner_id": personas.manager2.user_id})
    assert response.status_code == 201 and response.json()["owner"]["id"] == personas.manager2.user_id


def test_read_only_cannot_change_and_manager_cannot_delete(personas, api_as):
    company = create_company(api_as(personas.manager1))
    readonly = api_as(personas.readonly)
    assert readonly.patch(f"/api/v1/companies/{company['id']}", {"version": 1, "source": "x"}).status_code == 403
    assert api_as(personas.manager1).delete(f"/api/v1/companies/{company['id']}").status_code == 403
    assert api_as(personas.head).delete(f"/api/v1/companies/{company['id']}").status_code == 204
    assert not Client.objects.exists()
    assert Event.objects.filter(kind="client.deleted").count() == 1


def test_list_filters_sort_and_json_conditions(api):
    for name, city in [("Альфа", "Москва"), ("Бета", "Казань"), ("Гамма", "Москва")]:
        create_company(api, name=name, addresses=[{"city": city}])
    names = lambda r: [c["name"] for c in r.json()["items"]]  # noqa: E731
    assert names(api.get("/api/v1/companies", {"city": "Москва", "sort": "-name"})) == ["Гамма", "Альфа"]
    conditions = '{"conditions": [{"field": "city", "op": "eq", "value": "Казань"}]}'
    assert names(api.get("/api/v1/companies", {"filter": conditions})) == ["Бета"]
    bad = api.get(
        "/api/v1/companies", {"filter": '{"conditions": [{"field": "headcount", "op": "gt", "value": "many"}]}'}
    )
    assert bad.status_code == 422
    assert api.get("/api/v1/companies", {"sort": "no_such_field"}).status_code == 422
    assert api.get("/api/v1/companies", {"filter": "{not json"}).status_code == 422


def test_employment_is_unique_and_removed_when_dropped(api):
    company = create_company(api)
    person = api.post("/api/v1/people", {"last_name": "Сидоров", "companies": [{"company_id": company["id"]}]}).json()
    api.patch(f"/api/v1/people/{person['id']}", {"version": person["version"], "companies": []})
    assert not Employment.objects.exists()


def test_a_person_cannot_be_linked_to_an_invisible_company(personas, api_as):
    theirs = create_company(api_as(personas.manager2), name="Южная")
    response = api_as(personas.manager1).post(
        "/api/v1/people", {"last_name": "Х", "companies": [{"company_id": theirs["id"]}]}
    )
    assert response.status_code == 422
    assert "companies" in response.json()["error"]["fields"]
    assert Client.objects.filter(kind="person").count() == 0
