"""The search box, list filters (every field, custom ones too), sort, columns, saved
views and pagination, through the pages a user opens."""

from __future__ import annotations

import re

import pytest

from relata.clients.models import Client
from relata.clients.services.clients import client_create
from relata.clients.services.custom_fields import custom_field_create

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "list-results"}


@pytest.fixture
def base(personas):
    m1 = personas.manager1
    made = {
        "kirpich": client_create(
            m1,
            kind="company",
            values={
                "name": "ООО «Кирпичный двор»",
                "inn": "7707083893",
                "phones": ["+7 916 123-45-67"],
                "emails": ["sales@kirpich.example"],
                "addresses": [{"city": "Москва"}],
                "tags": "опт, VIP",
                "annual_revenue": "5000000",
                "headcount": 40,
            },
        ),
        "beton": client_create(
            m1,
            kind="company",
            values={
                "name": "Бетонный завод",
                "phones": ["8 (843) 200-10-20"],
                "addresses": [{"city": "Казань"}],
                "headcount": 300,
            },
        ),
        "ivanova": client_create(
            m1,
            kind="person",
            values={
                "last_name": "Иванова",
                "first_name": "Мария",
                "phones": ["+7 903 555 44 33"],
                "emails": ["maria.ivanova@mail.example"],
                "birthday": "1985-04-12",
            },
        ),
        "theirs": client_create(
            personas.manager2, kind="company", values={"name": "Кирпичный торговый дом", "phones": ["+7 916 123-00-00"]}
        ),
    }
    return made


def found(api, text, **params):
    return [c["name"] for c in api.get("/api/v1/clients/search", {"q": text, **params}).json()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("кирпич", "ООО «Кирпичный двор»"),  # a fragment of the name, any case
        ("КИРПИЧНЫЙ", "ООО «Кирпичный двор»"),
        ("916 123-45", "ООО «Кирпичный двор»"),  # a phone fragment typed another way
        ("8 916 1234567", "ООО «Кирпичный двор»"),  # the domestic trunk prefix
        ("+7(903)555", "Иванова Мария"),
        ("sales@kirpich", "ООО «Кирпичный двор»"),  # an e-mail fragment
        ("7707083893", "ООО «Кирпичный двор»"),  # the INN
        ("ivanova", "Иванова Мария"),
        ("Бетоный", "Бетонный завод"),  # a typo
        ("Иваанова", "Иванова Мария"),
    ],
)
def test_search_finds_by_any_fragment(personas, api_as, base, text, expected):
    assert expected in found(api_as(personas.manager1), text)


def test_search_stays_within_the_scope(personas, api_as, base):
    assert found(api_as(personas.manager1), "торговый дом") == []
    assert found(api_as(personas.manager2), "Кирпичный") == ["Кирпичный торговый дом"]
    assert "ООО «Кирпичный двор»" in found(api_as(personas.head), "Кирпичный")
    assert found(api_as(personas.other), "Кирпичный") == []


def test_global_search_box_answers_while_typing(personas, client_as, base):
    body = client_as(personas.manager1).get("/search/", {"q": "916 12"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Кирпичный двор" in body and "Кирпичный торговый дом" not in body
    assert 'href="/clients/' in body


def list_names(response) -> list[str]:
    return re.findall(r'<a href="/clients/\d+/">([^<]+)</a>', response.content.decode())


def test_list_quick_filters_sort_and_columns(personas, client_as, base):
    client = client_as(personas.manager1)
    assert list_names(client.get("/clients/companies/", {"sort": "-name"}, **HX)) == [
        "ООО «Кирпичный двор»",
        "Бетонный завод",
    ]
    assert list_names(client.get("/clients/companies/", {"city": "Казань"}, **HX)) == ["Бетонный завод"]
    assert list_names(client.get("/clients/companies/", {"q": "кирпич"}, **HX)) == ["ООО «Кирпичный двор»"]
    page = client.get("/clients/companies/", {"cols": "name,headcount,tags"}, **HX).content.decode()
    assert "VIP" in page and "300" in page


def test_a_filtered_list_page_reads_the_field_definitions_once(personas, client_as, base):
    """The filter, the sort and the condition builder all need the workspace's fields:
    one read of the custom field definitions per page, with or without a filter."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    custom_field_create(personas.admin, entity="company", label="Склад", field_type="text")
    client = client_as(personas.manager1)
    client.get("/clients/companies/")  # warm the session's caches
    for params in ({}, {"city": "Казань", "sort": "-name"}, {"cond": condition("headcount", "gt", 100)}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/clients/companies/", params)
        assert response.status_code == 200
        reads = [q["sql"] for q in queries if 'FROM "clients_customfield"' in q["sql"]]
        assert len(reads) == 1, reads


def condition(field, op, value):
    import json

    return f"{field}|{op}|{json.dumps(value)}"


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        (condition("headcount", "gt", 100), ["Бетонный завод"]),
        (condition("annual_revenue", "gte", "5000000"), ["ООО «Кирпичный двор»"]),
        (condition("headcount", "empty", None), []),
        (condition("primary_phone", "contains", "843"), ["Бетонный завод"]),
        (condition("name", "startswith", "бетон"), ["Бетонный завод"]),
        (condition("created_at", "last_days", 7), ["Бетонный завод", "ООО «Кирпичный двор»"]),
    ],
)
def test_advanced_conditions_on_any_field(personas, client_as, base, cond, expected):
    response = client_as(personas.manager1).get("/clients/companies/", {"cond": cond}, **HX)
    assert sorted(list_names(response)) == sorted(expected)


def test_filter_by_tag_and_status(personas, client_as, base):
    client = client_as(personas.manager1)
    vip = base["kirpich"].tags.get(name="VIP")
    assert list_names(client.get("/clients/companies/", {"tag": vip.pk}, **HX)) == ["ООО «Кирпичный двор»"]
    status = base["beton"].status
    assert len(list_names(client.get("/clients/companies/", {"status": status.pk}, **HX))) == 2


def test_a_broken_condition_is_reported_not_an_error_page(personas, client_as, base):
    response = client_as(personas.manager1).get(
        "/clients/companies/", {"cond": condition("headcount", "gt", "many")}, **HX
    )
    assert response.status_code == 200
    assert "is not a number" in response.content.decode()
    assert len(list_names(response)) == 2


def test_custom_fields_filter_sort_and_show_in_lists(personas, client_as, api_as, base):
    custom_field_create(personas.admin, entity="company", label="Объём, т", key="volume", field_type="number")
    custom_field_create(
        personas.admin,
        entity="company",
        label="Канал",
        key="channel",
        field_type="choice",
        choices=["Сайт", "Выставка"],
    )
    api = api_as(personas.manager1)
    for client, volume, channel in [(base["kirpich"], "12,5", "сайт"), (base["beton"], 300, "Выставка")]:
        response = api.patch(
            f"/api/v1/companies/{client.pk}",
            {"version": client.version, "custom": {"volume": volume, "channel": channel}},
        )
        assert response.status_code == 200, response.content
    assert Client.objects.get(pk=base["kirpich"].pk).custom == {"volume": 12.5, "channel": "Сайт"}
    bad = api.patch(f"/api/v1/companies/{base['beton'].pk}", {"version": 2, "custom": {"volume": "много"}})
    assert bad.status_code == 422 and "custom.volume" in bad.json()["error"]["fields"]
    client = client_as(personas.manager1)
    assert list_names(client.get("/clients/companies/", {"cond": condition("custom.volume", "gt", 100)}, **HX)) == [
        "Бетонный завод"
    ]
    assert list_names(
        client.get("/clients/companies/", {"cond": condition("custom.channel", "in", ["Сайт"])}, **HX)
    ) == ["ООО «Кирпичный двор»"]
    assert list_names(client.get("/clients/companies/", {"sort": "-custom.volume"}, **HX)) == [
        "Бетонный завод",
        "ООО «Кирпичный двор»",
    ]
    page = client.get("/clients/companies/", {"cols": "name,custom.volume"}, **HX).content.decode()
    assert "Объём, т" in page and "12,5" in page or "12.5" in page


def test_saved_views_keep_filters_and_are_private_unless_shared(personas, client_as, base):
    client = client_as(personas.manager1)
    response = client.post("/clients/company/views/save/", {"name": "Казань", "query": "city=Казань&sort=name"})
    from urllib.parse import unquote

    assert response.status_code == 302 and unquote(response["Location"]).endswith("?city=Казань&sort=name")
    page = client.get("/clients/companies/").content.decode()
    assert "Казань" in page
    assert "Казань</a>" not in client_as(personas.manager2).get("/clients/companies/").content.decode()


def test_pages_of_a_long_list(personas, client_as):
    for n in range(60):
        client_create(personas.manager1, kind="company", values={"name": f"Компания {n:02d}"})
    client = client_as(personas.manager1)
    first = client.get("/clients/companies/", {"sort": "name"}, **HX)
    assert len(list_names(first)) == 50 and "1–50 of 60" in first.content.decode()
    second = client.get("/clients/companies/", {"sort": "name", "page": 2}, **HX)
    assert list_names(second) == [f"Компания {n:02d}" for n in range(50, 60)]
