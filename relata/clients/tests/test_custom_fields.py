"""Custom fields of every type: validated alike in forms and the API (the error names the
field by its key, nothing is half-written), required fields, choices, and usable like a
built-in field in the lists' filters and sort, the API's filter and export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError

from relata.clients.models import Client, CustomField, LifecycleStatus
from relata.clients.services.clients import client_create, client_update
from relata.clients.services.custom_fields import custom_field_create, custom_field_update


def define(actor, label, field_type, *, key="", entity="company", **extra):
    return custom_field_create(actor, entity=entity, label=label, field_type=field_type, key=key, **extra)


@pytest.fixture
def fields(personas):
    """One field of each type for companies."""
    admin = personas.admin
    return {
        "text": define(admin, "Регион", "text", key="region"),
        "number": define(admin, "Объём", "number", key="volume"),
        "money": define(admin, "Бюджет", "money", key="budget"),
        "date": define(admin, "Клиент с", "date", key="since"),
        "choice": define(admin, "Класс", "choice", key="grade", choices=["A", "B", "Север"]),
        "multichoice": define(admin, "Товары", "multichoice", key="goods", choices=["Кирпич", "Бетон", "Песок"]),
        "boolean": define(admin, "VIP", "boolean", key="vip"),
        "user": define(admin, "Куратор", "user", key="curator"),
    }


def good_values(personas):
    return [
        ("region", " Север ", "Север"),
        ("volume", "1 234,5", 1234.5),
        ("volume", "12", 12),
        ("budget", "1500.5", 1500.5),
        ("since", "31.12.2025", "2025-12-31"),
        ("since", "2025-01-02", "2025-01-02"),
        ("grade", "север", "Север"),  # matched whatever the case, stored as defined
        ("goods", ["кирпич", "Песок", "Кирпич"], ["Кирпич", "Песок"]),
        ("goods", "Бетон; песок", ["Бетон", "Песок"]),
        ("vip", "да", True),
        ("vip", False, False),
        ("curator", personas.manager2.user_id, personas.manager2.user_id),
    ]


BAD_VALUES = [
    ("region", "x" * 2001, "At most 2000 characters"),
    ("volume", "двенадцать", "is not a number"),
    ("volume", "1e400", "too large"),
    ("budget", "много", "is not a number"),
    ("since", "32.13.2025", "is not a date"),
    ("grade", "Юг", "is not one of the choices"),
    ("goods", ["Кирпич", "Щебень"], "“Щебень” is not one of the choices"),
    ("vip", "maybe", "is not yes or no"),
    ("curator", "nobody", "Choose a colleague"),
]


# --- The API ----------------------------------------------------------------------------


def test_api_stores_each_type_in_its_clean_form(personas, api_as, fields):
    api = api_as(personas.head)
    for key, typed, stored in good_values(personas):
        response = api.post("/api/v1/companies", {"name": f"Good {key}", "custom": {key: typed}})
        assert response.status_code == 201, (key, response.content)
        assert response.json()["custom"] == {key: stored}


@pytest.mark.parametrize(("key", "typed", "message"), BAD_VALUES)
def test_api_refuses_a_wrong_value_naming_the_field_by_its_key(personas, api_as, fields, key, typed, message):
    response = api_as(personas.head).post(
        "/api/v1/companies", {"name": "Bad", "phones": [{"number": "+7 916 000-00-01"}], "custom": {key: typed}}
    )
    assert response.status_code == 422
    assert message in " ".join(response.json()["error"]["fields"][f"custom.{key}"])
    assert not Client.objects.exists()


def test_api_refuses_a_colleague_of_another_workspace_and_an_unknown_key(personas, api_as, fields):
    response = api_as(personas.head).post(
        "/api/v1/companies", {"name": "Bad", "custom": {"curator": personas.other.user_id, "colour": "red"}}
    )
    assert response.status_code == 422
    problems = response.json()["error"]["fields"]
    assert problems["custom.curator"] == ["Choose a colleague of this workspace."]
    assert problems["custom.colour"] == ["There is no custom field “colour”."]
    assert not Client.objects.exists()


def test_api_update_changes_only_the_values_sent(personas, api_as, fields):
    api = api_as(personas.head)
    created = api.post("/api/v1/companies", {"name": "A", "custom": {"region": "Север", "volume": 5}}).json()
    changed = api.patch(f"/api/v1/companies/{created['id']}", {"version": 1, "custom": {"volume": "", "vip": "yes"}})
    assert changed.status_code == 200
    assert changed.json()["custom"] == {"region": "Север", "vip": True}  # an empty value removes it
    refused = api.patch(f"/api/v1/companies/{created['id']}", {"version": 2, "custom": {"volume": "x"}})
    assert refused.status_code == 422 and "custom.volume" in refused.json()["error"]["fields"]
    assert Client.objects.get().custom == {"region": "Север", "vip": True}


def test_required_fields_are_asked_for_on_creation_and_when_sent(personas, api_as):
    define(personas.admin, "ИНН куратора", "text", key="curator_inn", required=True)
    api = api_as(personas.head)
    missing = api.post("/api/v1/companies", {"name": "A"})
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"]["custom.curator_inn"] == ["This field is required."]
    assert not Client.objects.exists()
    created = api.post("/api/v1/companies", {"name": "A", "custom": {"curator_inn": "123"}}).json()
    # Other changes do not need it again; emptying it does.
    assert api.patch(f"/api/v1/companies/{created['id']}", {"version": 1, "name": "B"}).status_code == 200
    emptied = api.patch(f"/api/v1/companies/{created['id']}", {"version": 2, "custom": {"curator_inn": " "}})
    assert emptied.status_code == 422 and "custom.curator_inn" in emptied.json()["error"]["fields"]
    # People have their own fields: a company's required field does not concern them.
    assert api.post("/api/v1/people", {"last_name": "Иванов"}).status_code == 201


def test_a_field_out_of_use_keeps_its_values_but_takes_no_new_ones(personas, api_as, fields):
    api = api_as(personas.head)
    created = api.post("/api/v1/companies", {"name": "A", "custom": {"region": "Север"}}).json()
    region = fields["text"]
    custom_field_update(personas.admin, region.pk, version=region.version, label="Регион", position=1, is_active=False)
    assert api.get(f"/api/v1/companies/{created['id']}").json()["custom"] == {"region": "Север"}
    refused = api.post("/api/v1/companies", {"name": "B", "custom": {"region": "Юг"}})
    assert refused.status_code == 422 and "custom.region" in refused.json()["error"]["fields"]


def test_changed_choices_apply_to_new_values(personas, fields):
    grade = fields["choice"]
    client = client_create(personas.head, kind="company", values={"name": "A", "custom": {"grade": "B"}})
    custom_field_update(personas.admin, grade.pk, version=grade.version, label="Класс", choices=["A", "C"], position=1)
    with pytest.raises(ValidationError) as refused:
        client_update(personas.head, client.pk, version=client.version, values={"custom": {"grade": "B"}})
    assert "custom.grade" in refused.value.message_dict
    updated = client_update(personas.head, client.pk, version=client.version, values={"custom": {"grade": "c"}})
    assert updated.custom == {"grade": "C"}


# --- Forms ------------------------------------------------------------------------------


def form_post(status, **custom):
    return {"name": "Из формы", "status": status, **{f"custom_{key}": value for key, value in custom.items()}}


@pytest.fixture
def cold(personas):
    return LifecycleStatus.objects.get(workspace=personas.admin.workspace, key="cold").pk


def test_the_form_offers_every_field_and_stores_clean_values(personas, client_as, fields, cold):
    client = client_as(personas.head)
    page = client.get("/clients/companies/new/").content.decode()
    for name in ("region", "volume", "budget", "since", "grade", "goods", "vip", "curator"):
        assert f'name="custom_{name}"' in page
    data = form_post(
        cold,
        region="Север",
        volume="1 234",
        budget="99,90",
        since="2025-03-01",
        grade="A",
        goods=["Кирпич", "Бетон"],
        vip="true",
        curator=str(personas.manager1.user_id),
    )
    response = client.post("/clients/companies/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Client.objects.get().custom == {
        "region": "Север",
        "volume": 1234,
        "budget": 99.9,
        "since": "2025-03-01",
        "grade": "A",
        "goods": ["Кирпич", "Бетон"],
        "vip": True,
        "curator": personas.manager1.user_id,
    }


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("volume", "двенадцать", "is not a number"),
        ("budget", "1e400", "too large"),
        ("since", "32.13.2025", "is not a date"),
        ("grade", "Юг", "Select a valid choice"),
        ("goods", ["Щебень"], "Select a valid choice"),
        ("vip", "maybe", "Select a valid choice"),
        ("curator", str(10**6), "Select a valid choice"),
        ("region", "x" * 2001, "at most 2000 characters"),
    ],
)
def test_the_form_shows_the_error_at_the_field_and_saves_nothing(
    personas, client_as, fields, cold, key, typed, message
):
    response = client_as(personas.head).post("/clients/companies/new/", form_post(cold, **{key: typed}))
    assert response.status_code == 400
    errors = " ".join(str(e) for e in response.context["form"].errors[f"custom_{key}"])
    assert message.lower() in errors.lower()
    assert not Client.objects.exists()


def test_the_form_asks_for_a_required_field(personas, client_as, cold):
    define(personas.admin, "Источник лида", "choice", key="lead_source", choices=["Сайт", "Звонок"], required=True)
    response = client_as(personas.head).post("/clients/companies/new/", form_post(cold))
    assert response.status_code == 400 and response.context["form"].errors["custom_lead_source"]
    assert not Client.objects.exists()


# --- Lists, filters, sort, export -------------------------------------------------------


@pytest.fixture
def base(personas, fields):
    def make(name, **custom):
        return client_create(personas.manager1, kind="company", values={"name": name, "custom": custom})

    make("Северный", region="Север", volume=500, grade="A", goods=["Кирпич"], vip=True, since="2020-05-01")
    make("Южный", region="Юг", volume=50, grade="B", goods=["Бетон", "Песок"], vip=False, since="2024-05-01")
    make("Пустой")
    make("Чужой", region="Север", volume=900)
    Client.objects.filter(name="Чужой").update(owner_id=personas.manager2.user_id)


def listed(response):
    body = response.content.decode()
    return {name for name in ("Северный", "Южный", "Пустой", "Чужой") if name in body}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('custom.region|eq|"север"', {"Северный"}),
        ('custom.region|contains|"ю"', {"Южный"}),
        ("custom.region|empty|", {"Пустой"}),
        ("custom.volume|gt|100", {"Северный"}),
        ('custom.volume|between|["10", "100"]', {"Южный"}),
        ('custom.grade|in|["B"]', {"Южный"}),
        ('custom.grade|not_in|["A"]', {"Южный", "Пустой"}),
        ('custom.goods|any|["Песок", "Щебень"]', {"Южный"}),
        ('custom.goods|all|["Бетон", "Песок"]', {"Южный"}),
        ('custom.goods|none|["Бетон"]', {"Северный", "Пустой"}),
        ("custom.vip|is|true", {"Северный"}),
        ("custom.vip|is|false", {"Южный", "Пустой"}),
        ('custom.since|before|"2021-01-01"', {"Северный"}),
    ],
)
def test_the_list_filters_on_custom_fields_within_the_scope(personas, client_as, base, condition, expected):
    response = client_as(personas.manager1).get("/clients/companies/", {"cond": condition})
    assert response.status_code == 200
    assert listed(response) == expected  # "Чужой" is manager 2's: never shown to manager 1


def test_a_filter_on_a_missing_custom_field_is_reported_not_crashing(personas, client_as, base):
    response = client_as(personas.manager1).get("/clients/companies/", {"cond": 'custom.colour|eq|"red"'})
    assert response.status_code == 200
    assert "no longer exists" in response.content.decode()


def test_the_list_sorts_and_shows_a_custom_column(personas, client_as, base):
    response = client_as(personas.admin).get(
        "/clients/companies/", {"sort": "-custom.volume", "cols": "name,custom.volume,custom.grade"}
    )
    body = response.content.decode()
    assert body.index("Чужой") < body.index("Северный") < body.index("Южный")
    assert "Объём" in body and "Класс" in body


def test_api_list_filter_and_sort_on_custom_fields(personas, api_as, base):
    api = api_as(personas.head)
    definition = {"conditions": [{"field": "custom.region", "op": "eq", "value": "Север"}]}
    found = api.get("/api/v1/companies", {"filter": json.dumps(definition), "sort": "-custom.volume"}).json()
    assert [c["name"] for c in found["items"]] == ["Чужой", "Северный"]
    bad = api.get(
        "/api/v1/companies",
        {"filter": json.dumps({"conditions": [{"field": "custom.volume", "op": "gt", "value": "много"}]})},
    )
    assert bad.status_code == 422 and "Объём" in bad.json()["error"]["message"]
    only_mine = api_as(personas.manager1).get("/api/v1/companies", {"filter": json.dumps(definition)}).json()
    assert [c["name"] for c in only_mine["items"]] == ["Северный"]


def test_export_writes_custom_columns_as_import_reads_them(personas, client_as, base):
    response = client_as(personas.head).get(
        "/clients/company/export/",
        {
            "format": "csv",
            "cols": "name,custom.region,custom.goods,custom.vip",
            "sort": "name",
            "cond": "custom.volume|lt|600",
        },
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Name", "Регион", "Товары", "VIP"]
    assert rows[1:] == [["Северный", "Север", "Кирпич", "yes"], ["Южный", "Юг", "Бетон, Песок", "no"]]


# --- Definitions -------------------------------------------------------------------------


def test_keys_are_made_from_labels_and_kept_unique_per_kind(personas):
    first = define(personas.admin, "Регион доставки", "text")
    second = define(personas.admin, "Регион доставки", "text")
    person = define(personas.admin, "Регион доставки", "text", entity="person")
    odd = define(personas.admin, "№ 1", "number")
    assert (first.key, second.key, person.key, odd.key) == (
        "region_dostavki",
        "region_dostavki_2",
        "region_dostavki",
        "no_1",
    )


def test_definitions_need_an_administrator(personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        define(personas.head, "Регион", "text")
    assert not CustomField.objects.exists()
