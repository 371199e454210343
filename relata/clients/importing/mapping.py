"""Where each column of an import file goes: the import targets of a kind of client and
the suggestion of a target for each header, from Russian and English titles.

A *target* is what a column can be mapped to: a profile field ("inn", "last_name"), a
custom field ("custom.region"), or a part of a composite value (a phone, an address part,
the company a person works at). Phones and e-mails may take several columns; every other
target takes at most one.

Suggestions compare headers case-, whitespace- and punctuation-insensitively ("Эл. почта",
"E-mail", "email_2" all read as e-mail) against a vocabulary of Russian and English titles,
the catalogue's labels in both languages (so a file exported by Relata maps back by
itself), and the keys and labels of the workspace's custom fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relata.clients.fields import BUILTIN_FIELDS, custom_fields_of
from relata.clients.models import ClientKind

__all__ = [
    "MULTIPLE_TARGETS",
    "ImportTarget",
    "import_targets",
    "normalize_header",
    "suggest_mapping",
]

COMPANY = ClientKind.COMPANY.value
PERSON = ClientKind.PERSON.value
BOTH = (COMPANY, PERSON)

# Targets that several columns may share (a file with "Phone", "Mobile", "Phone 2").
MULTIPLE_TARGETS = frozenset({"phone", "phone_kind", "email"})

# Catalogue keys whose import target has another name (the list shows the primary phone;
# an import adds phones).
CATALOGUE_TARGETS = {"primary_phone": "phone", "primary_email": "email"}


@dataclass(frozen=True)
class ImportTarget:
    """One place a column can go. `group` orders and groups the choices on the mapping page."""

    key: str
    label: str | Promise
    group: str
    kinds: tuple[str, ...] = BOTH

    @property
    def multiple(self) -> bool:
        return self.key in MULTIPLE_TARGETS


GROUPS: dict[str, Promise] = {
    "main": _("Main"),
    "contacts": _("Phones and e-mails"),
    "address": _("Address"),
    "profile": _("Profile"),
    "work": _("Work"),
    "custom": _("Additional fields"),
}

# Import-only targets (the catalogue's own fields are added from BUILTIN_FIELDS).
EXTRA_TARGETS: list[ImportTarget] = [
    ImportTarget("phone", _("Phone"), "contacts"),
    ImportTarget("phone_kind", _("Kind of the phone in the previous column"), "contacts"),
    ImportTarget("email", _("E-mail"), "contacts"),
    ImportTarget("street", _("Street, building, office"), "address"),
    ImportTarget("postcode", _("Postcode"), "address"),
    ImportTarget("country", _("Country (code, e.g. RU)"), "address"),
    ImportTarget("company", _("Company (name or INN of an existing company)"), "work", (PERSON,)),
    ImportTarget("job_title", _("Job title"), "work", (PERSON,)),
]
_GROUP_OF = {
    "name": "main",
    "status": "main",
    "owner": "main",
    "tags": "main",
    "source": "main",
    "note": "main",
    "city": "address",
    "region": "address",
}

# Titles people give their columns, normalised with `normalize_header` when indexed.
# A title listed for several targets goes to the one of the importing kind.
SYNONYMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # target: (kinds, titles)
    "name": (
        BOTH,
        (
            "название",
            "наименование",
            "имя клиента",
            "клиент",
            "name",
            "client",
            "client name",
            "customer",
            "контрагент",
        ),
    ),
    "name@company": (
        (COMPANY,),
        (
            "компания",
            "название компании",
            "наименование организации",
            "краткое наименование",
            "организация",
            "company",
            "company name",
            "organization",
            "organisation",
            "account",
            "account name",
        ),
    ),
    "name@person": (
        (PERSON,),
        ("фио", "ф и о", "полное имя", "контакт", "контактное лицо", "full name", "full_name", "contact", "person"),
    ),
    "legal_name": (
        (COMPANY,),
        (
            "юридическое название",
            "юридическое наименование",
            "полное наименование",
            "полное название",
            "юрлицо",
            "юр лицо",
            "legal name",
            "legal entity",
        ),
    ),
    "inn": (BOTH, ("инн", "inn", "инн организации", "инн клиента", "tax id", "taxid", "tin")),
    "kpp": ((COMPANY,), ("кпп", "kpp")),
    "ogrn": ((COMPANY,), ("огрн", "огрнип", "ogrn", "ogrnip")),
    "phone": (
        BOTH,
        (
            "телефон",
            "тел",
            "телефоны",
            "номер телефона",
            "контактный телефон",
            "мобильный",
            "мобильный телефон",
            "моб",
            "моб тел",
            "сотовый",
            "рабочий телефон",
            "phone",
            "phones",
            "phone number",
            "telephone",
            "tel",
            "mobile",
            "mobile phone",
            "cell",
            "work phone",
        ),
    ),
    "phone_kind": (BOTH, ("тип телефона", "phone type", "phone kind")),
    "email": (
        BOTH,
        (
            "email",
            "e mail",
            "емейл",
            "емайл",
            "имейл",
            "почта",
            "эл почта",
            "электронная почта",
            "адрес электронной почты",
            "e mail address",
            "email address",
            "mail",
        ),
    ),
    "city": (BOTH, ("город", "city", "town", "населенный пункт", "нас пункт")),
    "region": (BOTH, ("регион", "область", "край", "субъект", "субъект рф", "region", "state", "province")),
    "street": (
        BOTH,
        ("адрес", "улица", "фактический адрес", "юридический адрес", "address", "street", "street address"),
    ),
    "postcode": (BOTH, ("индекс", "почтовый индекс", "postcode", "post code", "postal code", "zip", "zip code")),
    "country": (BOTH, ("страна", "country", "код страны", "country code")),
    "last_name": ((PERSON,), ("фамилия", "last name", "surname", "family name", "last_name")),
    "first_name": ((PERSON,), ("имя", "first name", "given name", "first_name")),
    "middle_name": ((PERSON,), ("отчество", "middle name", "patronymic", "middle_name")),
    "birthday": (
        (PERSON,),
        ("дата рождения", "день рождения", "др", "birthday", "birth date", "date of birth", "dob"),
    ),
    "gender": ((PERSON,), ("пол", "gender", "sex")),
    "occupation": ((PERSON,), ("род занятий", "профессия", "occupation", "profession")),
    "income_bracket": ((PERSON,), ("доход", "уровень дохода", "income", "income bracket")),
    "family_status": ((PERSON,), ("семейное положение", "family status", "marital status")),
    "preferences": ((PERSON,), ("предпочтения", "интересы", "preferences", "interests")),
    "attitude": ((PERSON,), ("отношение", "отношение к компании", "attitude")),
    "status": (BOTH, ("статус", "стадия", "статус клиента", "status", "lifecycle status", "stage")),
    "owner": (
        BOTH,
        (
            "ответственный",
            "ответственный менеджер",
            "менеджер",
            "куратор",
            "owner",
            "manager",
            "responsible",
            "assigned to",
            "account manager",
        ),
    ),
    "source": (BOTH, ("источник", "источник клиента", "канал", "source", "lead source")),
    "tags": (BOTH, ("теги", "тег", "метки", "метка", "ярлыки", "tags", "tag", "labels")),
    "note": (
        BOTH,
        ("примечание", "примечания", "комментарий", "заметка", "заметки", "описание", "note", "notes", "comment"),
    ),
    "website": (
        (COMPANY,),
        ("сайт", "веб сайт", "вебсайт", "адрес сайта", "website", "web site", "web", "url", "site"),
    ),
    "industry": ((COMPANY,), ("отрасль", "индустрия", "сфера", "industry", "sector")),
    "activity": ((COMPANY,), ("вид деятельности", "деятельность", "оквэд", "activity", "kind of activity")),
    "annual_revenue": ((COMPANY,), ("выручка", "годовая выручка", "оборот", "revenue", "annual revenue")),
    "headcount": (
        (COMPANY,),
        ("численность", "число сотрудников", "количество сотрудников", "сотрудников", "headcount", "employees"),
    ),
    "parent": ((COMPANY,), ("головная компания", "материнская компания", "холдинг", "parent", "parent company")),
    "company": (
        (PERSON,),
        (
            "компания",
            "организация",
            "место работы",
            "работодатель",
            "company",
            "organization",
            "organisation",
            "employer",
        ),
    ),
    "job_title": ((PERSON,), ("должность", "позиция", "job title", "position", "title")),
}

# When no title matches exactly, a header containing one of these words still goes to the
# target ("Телефон офиса", "Email для рассылки"); only for words that cannot mean anything else.
KEYWORDS: dict[str, str] = {
    "телефон": "phone",
    "phone": "phone",
    "email": "email",
    "почта": "email",
    "инн": "inn",
    "кпп": "kpp",
    "огрн": "ogrn",
    "индекс": "postcode",
    "сайт": "website",
    "website": "website",
    "город": "city",
    "city": "city",
}


def normalize_header(text: str) -> str:
    """Lower case, "ё" → "е", punctuation and underscores as spaces, spaces collapsed."""
    text = text.casefold().replace("ё", "е")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _compact(text: str) -> str:
    return normalize_header(text).replace(" ", "")


def _without_number(normalized: str) -> str:
    """ "телефон 2" → "телефон": copies of a column are numbered ("Phone (2)", "email_2")."""
    return re.sub(r"(?:\s*\d+)+$", "", normalized).strip()


def import_targets(workspace_id: int, kind: str) -> dict[str, ImportTarget]:
    """Every target of `kind` in the workspace, in the order the mapping page offers them."""
    targets: dict[str, ImportTarget] = {}
    for field in BUILTIN_FIELDS:
        if not field.importable or kind not in field.kinds:
            continue
        key = CATALOGUE_TARGETS.get(field.key, field.key)
        targets[key] = ImportTarget(key, field.label, _GROUP_OF.get(key, "profile"), field.kinds)
    for target in EXTRA_TARGETS:
        if kind in target.kinds:
            targets.setdefault(target.key, target)
    for definition in custom_fields_of(workspace_id, kind):
        key = f"custom.{definition.key}"
        targets[key] = ImportTarget(key, definition.label, "custom", (kind,))
    group_order = list(GROUPS)
    return dict(sorted(targets.items(), key=lambda item: group_order.index(item[1].group)))


def _vocabulary(workspace_id: int, kind: str, targets: dict[str, ImportTarget]) -> dict[str, str]:
    """Compact title → target key for `kind`. Earlier sources win: the targets' own labels
    (built-in in English and Russian, then the workspace's custom fields) and keys, then the
    generic synonyms, so a custom field labelled "Account manager" is not taken for the owner."""
    words: dict[str, str] = {}

    def add(title: str, key: str) -> None:
        compact = _compact(title)
        if compact and key in targets:
            words.setdefault(compact, key)

    ordered = sorted(targets.items(), key=lambda item: item[0].startswith("custom."))
    for key, target in ordered:
        for language in ("en", "ru"):
            with translation.override(language):
                add(str(target.label), key)
    for key in targets:
        add(key, key)
        if key.startswith("custom."):
            add(key.removeprefix("custom."), key)
    for catalogue_key, key in CATALOGUE_TARGETS.items():
        add(catalogue_key, key)
    for name, (kinds, titles) in SYNONYMS.items():
        if kind in kinds:
            for title in titles:
                add(title, name.split("@")[0])
    return words


def suggest_mapping(workspace_id: int, kind: str, headers: Iterable[str]) -> dict[str, str]:
    """{column index (str): target key} for the headers that can be recognised.

    Exact titles win over keyword matches; a single-valued target goes to the first
    column that claims it; phones and e-mails take every column that looks like one.
    A "…_type" column after a phone column (vCard files) gives that phone's kind.
    """
    targets = import_targets(workspace_id, kind)
    words = _vocabulary(workspace_id, kind, targets)
    headers = list(headers)
    exact: dict[int, str] = {}
    fuzzy: dict[int, str] = {}
    for index, header in enumerate(headers):
        normalized = normalize_header(header)
        if re.fullmatch(r"phone \d+ type", normalized):
            exact[index] = "phone_kind"
            continue
        key = words.get(normalized.replace(" ", "")) or words.get(_without_number(normalized).replace(" ", ""))
        if key:
            exact[index] = key
            continue
        for word in normalized.split():
            if word in KEYWORDS and KEYWORDS[word] in targets:
                fuzzy[index] = KEYWORDS[word]
                break
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for candidates in (exact, fuzzy):
        for index in sorted(candidates):
            key = candidates[index]
            if str(index) in mapping or (key in taken and key not in MULTIPLE_TARGETS):
                continue
            mapping[str(index)] = key
            taken.add(key)
    # A phone kind without a phone column before it has nothing to describe.
    for index_text, key in list(mapping.items()):
        if key == "phone_kind" and mapping.get(str(int(index_text) - 1)) != "phone":
            del mapping[index_text]
    return dict(sorted(mapping.items(), key=lambda item: int(item[0])))
