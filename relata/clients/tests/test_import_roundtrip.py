"""Export → import round trips (Hypothesis): a client exported by Relata (CSV or Excel,
every importable column of the field catalogue, custom fields included) and imported back
comes out with the same values, exported again cell for cell."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relata.clients.fields import client_fields
from relata.clients.models import Client, CustomField, ImportBatch, LifecycleStatus
from relata.clients.normalize import _ogrn_check_digit
from relata.clients.selectors.clients import clients_visible_to
from relata.clients.services.clients import client_create
from relata.clients.services.custom_fields import custom_field_create
from relata.clients.services.export import export_rows
from relata.clients.tests.import_helpers import PHONES, company_inn, person_inn, rows_of, run_import
from relata.core.export import csv_bytes, write_xlsx

pytestmark = pytest.mark.django_db

LETTERS = (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
TEXT_CHARS = LETTERS + '0123456789 -.,;:«»"&()№=+@/!?%'
CHOICES = ["опт", "розница", "Export", "VIP клиент"]


def text(max_size: int = 30, alphabet: str = TEXT_CHARS) -> st.SearchStrategy[str]:
    """Stripped, non-empty text; a leading apostrophe is left out (see `unneutralise`)."""
    return (
        st.text(alphabet=alphabet, min_size=1, max_size=max_size)
        .map(str.strip)
        .filter(lambda value: bool(value) and not value.startswith("'"))
    )


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def ogrn(seed: int) -> str:
    body = f"10277{seed:07d}"
    return body + _ogrn_check_digit(body + "0")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def custom_fields(personas: Any, kind: str) -> dict[str, CustomField]:
    admin = personas.admin
    existing = {f.key: f for f in CustomField.objects.filter(workspace=admin.workspace, entity=kind)}
    specs = [
        ("c_text", "Delivery note", "text", []),
        ("c_number", "Volume per year", "number", []),
        ("c_money", "Credit limit", "money", []),
        ("c_date", "Contract date", "date", []),
        ("c_choice", "Channel", "choice", CHOICES),
        ("c_multi", "Interests", "multichoice", CHOICES),
        ("c_bool", "Subscribed", "boolean", []),
        ("c_user", "Account manager", "user", []),
    ]
    for key, label, kind_of_field, choices in specs:
        if key not in existing:
            existing[key] = custom_field_create(
                admin, entity=kind, label=label, key=key, field_type=kind_of_field, choices=choices
            )
    return existing


@st.composite
def custom_values(draw: st.DrawFn, user_ids: list[int]) -> dict[str, Any]:
    values = {
        "c_text": draw(maybe(text(60, TEXT_CHARS + "\n"))),
        "c_number": draw(maybe(st.one_of(st.integers(-(10**9), 10**9), st.decimals("-99999", "99999", places=3)))),
        "c_money": draw(maybe(st.decimals("0", "999999999", places=2))),
        "c_date": draw(maybe(st.dates().map(lambda d: d.isoformat()))),
        "c_choice": draw(maybe(st.sampled_from(CHOICES))),
        "c_multi": draw(maybe(st.lists(st.sampled_from(CHOICES), min_size=1, max_size=3, unique=True))),
        "c_bool": draw(maybe(st.booleans())),
        "c_user": draw(maybe(st.sampled_from(user_ids))),
    }
    return {key: (str(value) if isinstance(value, Decimal) else value) for key, value in values.items()}


@st.composite
def common_values(draw: st.DrawFn, statuses: list[str], owners: list[int]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "status": draw(st.sampled_from(statuses)),
        "owner": draw(st.sampled_from(owners)),
        "source": draw(maybe(text(40))),
        "note": draw(maybe(text(80, TEXT_CHARS + "\n"))),
        "tags": draw(st.lists(text(12, LETTERS).map(str.lower), max_size=3, unique=True)),
        "phones": [draw(st.sampled_from(PHONES))] if draw(st.booleans()) else [],
        "emails": [draw(st.from_regex(r"[a-z]{1,8}(\.[a-z0-9]{1,5})?@[a-z]{2,8}\.(ru|com|рф)", fullmatch=True))]
        if draw(st.booleans())
        else [],
    }
    if draw(st.booleans()):
        values["addresses"] = [{"city": draw(text(20, LETTERS + " -")), "region": draw(maybe(text(20, LETTERS)))}]
    return {key: value for key, value in values.items() if value is not None}


def exported(personas: Any, kind: str, client_id: int, fmt: str) -> tuple[list[Any], bytes]:
    """The client's export row (every importable column) and the file it is in."""
    columns = [f for f in client_fields(personas.admin.workspace_id, kind).values() if f.importable]
    queryset = clients_visible_to(personas.admin, kind).filter(pk=client_id)
    rows = list(export_rows(queryset, columns))
    headers = [str(column.label) for column in columns]
    if fmt == "csv":
        data = b"".join(csv_bytes(headers, rows))
    else:
        buffer = io.BytesIO()
        write_xlsx(buffer, headers, rows)
        data = buffer.getvalue()
    return rows[0], data


def round_trip(personas: Any, kind: str, values: dict[str, Any], fmt: str) -> None:
    admin = personas.admin
    original = client_create(admin, kind=kind, values=values)
    before, data = exported(personas, kind, original.pk, fmt)
    Client.objects.filter(pk=original.pk).delete()
    batch = run_import(admin, SimpleUploadedFile(f"export.{fmt}", data), kind=kind, policy="create")
    try:
        result = rows_of(batch)[1]
        assert (batch.created_count, result.errors) == (1, [])
        after, _data = exported(personas, kind, result.client_id, fmt)
        assert after == before
    finally:
        Client.objects.filter(workspace=admin.workspace).exclude(name="Holding Parent").delete()
        ImportBatch.objects.all().delete()


def statuses_and_owners(personas: Any) -> tuple[list[str], list[int]]:
    statuses = [s.display_name for s in LifecycleStatus.objects.filter(workspace=personas.admin.workspace)]
    owners = [personas.admin.user_id, personas.head.user_id, personas.manager1.user_id]
    return statuses, owners


HYPOTHESIS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(data=st.data())
def test_companies_round_trip(personas, data):
    statuses, owners = statuses_and_owners(personas)
    custom_fields(personas, "company")
    parent = Client.objects.filter(workspace=personas.admin.workspace, name="Holding Parent").first()
    if parent is None:
        parent = client_create(personas.admin, kind="company", values={"name": "Holding Parent"})
    values = data.draw(common_values(statuses, owners))
    values.update(
        {
            "name": data.draw(text(40)),
            "legal_name": data.draw(maybe(text(40))),
            "inn": data.draw(maybe(st.integers(1, 9_999_999).map(company_inn))),
            "kpp": data.draw(maybe(st.from_regex(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}", fullmatch=True))),
            "ogrn": data.draw(maybe(st.integers(1, 9_999_999).map(ogrn))),
            "industry": data.draw(maybe(text(30))),
            "activity": data.draw(maybe(text(30))),
            "annual_revenue": data.draw(maybe(st.decimals("0", "99999999999", places=2).map(str))),
            "headcount": data.draw(maybe(st.integers(0, 100_000))),
            "website": data.draw(maybe(st.from_regex(r"[a-z]{2,10}\.(ru|com)(/[a-z]{1,6})?", fullmatch=True))),
            "parent": data.draw(st.sampled_from([None, parent.pk])),
            "custom": data.draw(custom_values(owners)),
        }
    )
    values = {key: value for key, value in values.items() if value is not None}
    round_trip(personas, "company", values, data.draw(st.sampled_from(["csv", "xlsx"])))


@HYPOTHESIS
@given(data=st.data())
def test_people_round_trip(personas, data):
    statuses, owners = statuses_and_owners(personas)
    custom_fields(personas, "person")
    values = data.draw(common_values(statuses, owners))
    values.update(
        {
            "last_name": data.draw(text(20, LETTERS + " -")),
            "first_name": data.draw(maybe(text(20, LETTERS))),
            "middle_name": data.draw(maybe(text(20, LETTERS))),
            "inn": data.draw(maybe(st.integers(1, 99_999_999).map(person_inn))),
            "birthday": data.draw(maybe(st.dates(dt.date(1901, 1, 1), dt.date(2020, 12, 31)).map(str))),
            "gender": data.draw(maybe(st.sampled_from(["female", "male"]))),
            "occupation": data.draw(maybe(text(30))),
            "income_bracket": data.draw(maybe(st.sampled_from(["low", "average", "high"]))),
            "family_status": data.draw(maybe(st.sampled_from(["single", "married"]))),
            "preferences": data.draw(maybe(text(40, TEXT_CHARS + "\n"))),
            "attitude": data.draw(maybe(st.sampled_from(["positive", "negative"]))),
            "custom": data.draw(custom_values(owners)),
        }
    )
    values = {key: value for key, value in values.items() if value is not None}
    round_trip(personas, "person", values, data.draw(st.sampled_from(["csv", "xlsx"])))
