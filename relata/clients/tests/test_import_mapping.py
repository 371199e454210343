"""Suggested columns: Russian and English titles, however they are written."""

from __future__ import annotations

import pytest

from relata.clients.importing.mapping import import_targets, normalize_header, suggest_mapping
from relata.clients.importing.parsers import VCARD_HEADERS
from relata.clients.services.custom_fields import custom_field_create

pytestmark = pytest.mark.django_db


def suggested(personas, kind: str, headers: list[str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    mapping = suggest_mapping(personas.admin.workspace_id, kind, headers)
    return {headers[int(index)]: key for index, key in mapping.items()}


def test_headers_are_compared_without_case_spaces_and_punctuation():
    assert normalize_header("  Эл. ПОЧТА ") == "эл почта"
    assert normalize_header("E-mail_2") == "e mail 2"
    assert normalize_header("Ёмкость") == "емкость"


def test_russian_company_headers(personas):
    headers = [
        "Наименование",
        "ИНН",
        "КПП",
        "ОГРН",
        "Тел.",
        "Телефон 2",
        "Эл. почта",
        "Сайт",
        "Город",
        "Область",
        "Адрес",
        "Индекс",
        "Отрасль",
        "Статус",
        "Ответственный",
        "Источник",
        "Метки",
        "Комментарий",
        "Что-то своё",
    ]
    assert suggested(personas, "company", headers) == {
        "Наименование": "name",
        "ИНН": "inn",
        "КПП": "kpp",
        "ОГРН": "ogrn",
        "Тел.": "phone",
        "Телефон 2": "phone",
        "Эл. почта": "email",
        "Сайт": "website",
        "Город": "city",
        "Область": "region",
        "Адрес": "street",
        "Индекс": "postcode",
        "Отрасль": "industry",
        "Статус": "status",
        "Ответственный": "owner",
        "Источник": "source",
        "Метки": "tags",
        "Комментарий": "note",
    }


def test_english_person_headers(personas):
    headers = [
        "Last Name",
        "First name",
        "Middle name",
        "E-Mail",
        "Mobile",
        "Company",
        "Job title",
        "Birthday",
        "Manager",
    ]
    assert suggested(personas, "person", headers) == {
        "Last Name": "last_name",
        "First name": "first_name",
        "Middle name": "middle_name",
        "E-Mail": "email",
        "Mobile": "phone",
        "Company": "company",
        "Job title": "job_title",
        "Birthday": "birthday",
        "Manager": "owner",
    }


def test_the_same_word_means_the_name_of_a_company_but_the_employer_of_a_person(personas):
    assert suggested(personas, "company", ["Компания"]) == {"Компания": "name"}
    assert suggested(personas, "person", ["ФИО", "Компания", "Должность"]) == {
        "ФИО": "name",
        "Компания": "company",
        "Должность": "job_title",
    }


def test_each_field_is_suggested_once_but_phones_and_emails_take_several_columns(personas):
    headers = ["Название", "Компания", "ИНН", "INN", "Phone", "Phone (2)", "Email", "email_2"]
    assert suggested(personas, "company", headers) == {
        "Название": "name",
        "ИНН": "inn",
        "Phone": "phone",
        "Phone (2)": "phone",
        "Email": "email",
        "email_2": "email",
    }


def test_keywords_inside_longer_titles(personas):
    headers = ["Название", "Телефон офиса", "Email для рассылки", "ИНН организации"]
    assert suggested(personas, "company", headers) == {
        "Название": "name",
        "Телефон офиса": "phone",
        "Email для рассылки": "email",
        "ИНН организации": "inn",
    }


def test_custom_fields_by_label_and_key(personas):
    custom_field_create(personas.admin, entity="company", label="Объём закупок", key="volume", field_type="number")
    custom_field_create(personas.admin, entity="company", label="Delivery zone", key="zone", field_type="text")
    custom_field_create(personas.admin, entity="company", label="Account manager", key="acc", field_type="user")
    assert suggested(personas, "company", ["Name", "объём  закупок", "ZONE", "Account manager", "Owner"]) == {
        "Name": "name",
        "объём  закупок": "custom.volume",
        "ZONE": "custom.zone",
        "Account manager": "custom.acc",  # the workspace's own label wins over the synonym of "owner"
        "Owner": "owner",
    }


def test_vcard_columns(personas):
    mapping = suggested(personas, "person", list(VCARD_HEADERS))
    assert mapping == {
        "full_name": "name",
        "last_name": "last_name",
        "first_name": "first_name",
        "middle_name": "middle_name",
        "organization": "company",
        "title": "job_title",
        "phone_1": "phone",
        "phone_1_type": "phone_kind",
        "phone_2": "phone",
        "phone_2_type": "phone_kind",
        "phone_3": "phone",
        "phone_3_type": "phone_kind",
        "email_1": "email",
        "email_2": "email",
        "email_3": "email",
        "street": "street",
        "city": "city",
        "region": "region",
        "postcode": "postcode",
        "country": "country",
        "birthday": "birthday",
        "note": "note",
    }
    assert suggested(personas, "company", list(VCARD_HEADERS))["organization"] == "name"


def test_targets_follow_the_kind(personas):
    company = import_targets(personas.admin.workspace_id, "company")
    person = import_targets(personas.admin.workspace_id, "person")
    assert {"kpp", "parent", "website"} <= set(company) and not {"kpp", "parent", "website"} & set(person)
    assert {"birthday", "company", "job_title"} <= set(person) and "birthday" not in company
    assert company["phone"].multiple and not company["inn"].multiple
