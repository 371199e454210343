"""The demo's clients, drawn with Faker (ru_RU and en_US) and one seed: every demo has the
same companies and people. Values are typed the way people type them (phones in any
format, statuses by key, owners by id): `prepare_client` cleans them on the way in."""

from __future__ import annotations

import copy
import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from faker import Faker

from relata.clients.demo.vocabulary import (
    CITIES,
    CITY_WEIGHTS,
    COMPANY_TYPES,
    CONTACT_CHANNELS,
    ENGLISH_FORMS,
    ENGLISH_NOUNS,
    FREE_MAIL,
    JOB_TITLES,
    LEGAL_FORMS,
    MOSCOW_REGIONS,
    NAME_ROOTS,
    NAME_SUFFIXES,
    OCCUPATIONS,
    PREFERENCES,
    SOURCES,
    STATUS_WEIGHTS,
    City,
    company_inn,
    company_kpp,
    company_ogrn,
    entrepreneur_ogrnip,
    landline_phone,
    mobile_phone,
    person_inn,
    transliterate,
    typed_phone,
)
from relata.clients.normalize import normalize_phone

SEED = 20_250_601


@dataclass
class DemoRow:
    kind: str
    values: dict[str, Any]
    created_at: dt.datetime
    parent: str = ""  # a holding's name, for its subsidiaries


@dataclass
class DemoMaker:
    """Draws the demo's clients from one seed."""

    owners: dict[str, int]  # "manager", "manager2", "head", "admin" → user id
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))  # noqa: S311  (demo data)
    ru: Faker = field(default_factory=lambda: Faker("ru_RU"))
    en: Faker = field(default_factory=lambda: Faker("en_US"))
    now: dt.datetime = field(default_factory=timezone.now)
    used: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.ru.seed_instance(SEED)
        self.en.seed_instance(SEED)

    def city(self) -> City:
        return self.rng.choices(CITIES, CITY_WEIGHTS)[0]

    def status(self) -> str:
        return self.rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]

    def owner(self, city: City) -> int:
        """Moscow and its region belong to the Moscow team, the rest to the regions."""
        local = "manager" if city.region in MOSCOW_REGIONS else "manager2"
        key = self.rng.choices([local, "head", "admin"], [75, 20, 5])[0]
        return self.owners[key]

    def came(self) -> dt.datetime:
        return self.now - dt.timedelta(days=self.rng.randrange(3, 730), minutes=self.rng.randrange(24 * 60))

    def address(self, city: City, kind: str) -> dict[str, Any]:
        street = self.ru.street_address()
        return {
            "kind": kind,
            "region": city.region,
            "city": city.name,
            "street": street,
            "postcode": self.ru.postcode(),
        }

    def tags(self, pool: list[str], most: int) -> list[str]:
        return self.rng.sample(pool, self.rng.randrange(most + 1))

    def person_name(self, english: bool = False) -> tuple[str, str, str, str]:
        """(gender, last, first, middle)."""
        gender = self.rng.choice(["male", "female"])
        if english:
            first = self.en.first_name_male() if gender == "male" else self.en.first_name_female()
            return gender, self.en.last_name(), first, ""
        if gender == "male":
            return gender, self.ru.last_name_male(), self.ru.first_name_male(), self.ru.middle_name_male()
        return gender, self.ru.last_name_female(), self.ru.first_name_female(), self.ru.middle_name_female()

    def unique_core(self, industry: str) -> str:
        """A company name not used yet (the deliberate duplicates are made apart)."""
        rng = self.rng
        while True:
            core = rng.choice(NAME_ROOTS) + rng.choice(NAME_SUFFIXES)
            if industry == "Строительство" and rng.random() < 0.3:
                core = f"СК {self.ru.last_name_male()}"
            elif industry == "Производство стройматериалов" and rng.random() < 0.3:
                core = f"ДСК-{rng.randrange(1, 40)}"
            if core not in self.used:
                self.used.add(core)
                return core

    def company(self, name: str = "", city: City | None = None) -> DemoRow:
        rng = self.rng
        city = city or self.city()
        industry, activities, _weight = rng.choices(COMPANY_TYPES, [t[2] for t in COMPANY_TYPES])[0]
        english = not name and rng.random() < 0.08
        entrepreneur = not name and not english and rng.random() < 0.1
        values: dict[str, Any] = {"industry": industry, "activity": rng.choice(activities)}
        if english or (name and name.isascii()):
            word = self.en.last_name()
            name = name or f"{word} {rng.choice(ENGLISH_NOUNS)} {rng.choice(ENGLISH_FORMS)}"
            domain = transliterate(name.split()[0] + " " + name.split()[1]) + ".com"
        elif entrepreneur:
            gender, last, first, middle = self.person_name()
            name = f"ИП {last} {first[0]}.{middle[0]}."
            values["legal_name"] = f"Индивидуальный предприниматель {last} {first} {middle}"
            values["inn"] = person_inn(rng, city.tax_region)
            values["ogrn"] = entrepreneur_ogrnip(rng, city.tax_region)
            domain = f"{transliterate(last)}-{transliterate(first)[:1]}.ru"
        else:
            if not name:
                form = rng.choices(list(LEGAL_FORMS), [75, 14, 3, 8])[0]
                name = f"{form} «{self.unique_core(industry)}»"
            form, _sep, core = name.partition(" ")
            core = core.strip("«»")
            values["legal_name"] = f"{LEGAL_FORMS.get(form, form)} «{core}»"
            values["inn"] = company_inn(rng, city.tax_region)
            values["kpp"] = company_kpp(values["inn"])
            values["ogrn"] = company_ogrn(rng, city.tax_region)
            domain = transliterate(core) + rng.choice([".ru", ".ru", ".ru", ".com"])
        phones = [typed_phone(rng, landline_phone(rng, city))]
        if rng.random() < 0.4:
            phones.append(typed_phone(rng, mobile_phone(rng)))
        size = rng.choice([8, 15, 30, 60, 120, 250, 600])
        values.update(
            name=name,
            status=self.status(),
            owner=self.owner(city),
            source=rng.choice(SOURCES),
            annual_revenue=str(size * rng.randrange(2, 9) * 1_000_000),
            headcount=str(size + rng.randrange(size)),
            website=domain,
            phones=phones,
            emails=[f"{rng.choice(['info', 'zakaz', 'sales', 'office'])}@{domain}"],
            addresses=[self.address(city, "legal"), *([self.address(city, "delivery")] if rng.random() < 0.3 else [])],
            tags=self.tags(["бетон", "кирпич", "газобетон", "кровля", "опт", "VIP", "тендер", "доставка"], 2),
        )
        if rng.random() < 0.7:
            values["custom"] = {"monthly_volume": str(rng.choice([5, 10, 20, 40, 80, 150, 300]) + rng.randrange(10))}
        return DemoRow("company", values, self.came())

    def contact(self, company: DemoRow, company_id: int, main: bool) -> DemoRow:
        rng = self.rng
        english = company.values["name"].isascii()
        gender, last, first, middle = self.person_name(english)
        domain = company.values["emails"][0].split("@")[1]
        title, department = rng.choice(JOB_TITLES[:1] if main and rng.random() < 0.3 else JOB_TITLES)
        values = {
            "last_name": last,
            "first_name": first,
            "middle_name": middle,
            "gender": gender,
            "status": company.values["status"],
            "owner": company.values["owner"],
            "source": company.values["source"],
            "phones": [typed_phone(rng, mobile_phone(rng))],
            "emails": [f"{transliterate(first)[:1]}.{transliterate(last)}@{domain}"],
            "occupation": title,
            "companies": [{"company": company_id, "job_title": title, "department": department, "is_primary": main}],
        }
        if rng.random() < 0.5:
            values["custom"] = {"contact_channel": rng.choice(CONTACT_CHANNELS)}
        return DemoRow("person", values, company.created_at + dt.timedelta(hours=rng.randrange(1, 200)))

    def buyer(self) -> DemoRow:
        """A private client: someone building a house or a dacha."""
        rng = self.rng
        city = self.city()
        english = rng.random() < 0.04
        gender, last, first, middle = self.person_name(english)
        login = f"{transliterate(first)}.{transliterate(last)}{rng.choice(['', '', str(rng.randrange(70, 99))])}"
        values: dict[str, Any] = {
            "last_name": last,
            "first_name": first,
            "middle_name": middle,
            "gender": gender,
            "birthday": dt.date(rng.randrange(1955, 2003), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat(),
            "status": self.status(),
            "owner": self.owner(city),
            "source": rng.choice(SOURCES),
            "occupation": rng.choice(OCCUPATIONS),
            "income_bracket": rng.choice(["below_average", "average", "average", "above_average", "high"]),
            "family_status": rng.choice(["single", "married", "married", "divorced"]),
            "attitude": rng.choice(["positive", "positive", "neutral", "negative"]),
            "preferences": rng.choice(PREFERENCES),
            "phones": [typed_phone(rng, mobile_phone(rng))],
            "emails": [f"{login}@{rng.choice(FREE_MAIL)}"] if rng.random() < 0.7 else [],
            "addresses": [self.address(city, "home")],
            "tags": self.tags(["розница", "частный дом", "самовывоз", "доставка", "VIP"], 2),
            "consents": [
                {"channel": channel, "granted": rng.random() < 0.7, "source": rng.choice(["Форма на сайте", "Анкета"])}
                for channel in rng.sample(["email", "sms", "phone", "messenger"], rng.randrange(0, 3))
            ],
        }
        if rng.random() < 0.3:
            values["messengers"] = [{"kind": "telegram", "handle": f"@{login.replace('.', '_')}"}]
        if rng.random() < 0.05:
            values["inn"] = person_inn(rng, city.tax_region)
        if rng.random() < 0.6:
            values["custom"] = {"contact_channel": rng.choice(CONTACT_CHANNELS)}
        return DemoRow("person", values, self.came())

    def no_contacts(self, row: DemoRow) -> DemoRow:
        """A company from a purchased list: registration details only, nobody called yet."""
        row.values.update(phones=[], emails=[], status="cold", source="База ЕГРЮЛ", tags=[])
        row.values.pop("custom", None)
        return row

    def near_duplicates(self, companies: list[DemoRow], buyers: list[DemoRow]) -> list[DemoRow]:
        """Records entered twice the way it happens in real bases, for the duplicate finder."""
        rng = self.rng
        later = dt.timedelta(days=rng.randrange(5, 60))
        russian = [c for c in companies if c.values.get("kpp") and c.values["phones"]]
        english = [c for c in companies if c.values["name"].isascii()]
        rows: list[DemoRow] = []

        def again(row: DemoRow, **changes: Any) -> None:
            values = copy.deepcopy(row.values)
            values.update(changes)
            rows.append(DemoRow(row.kind, values, row.created_at + later))

        def retyped(phones: list[str]) -> list[str]:
            return [typed_phone(rng, normalize_phone(p)) for p in phones]

        # The same company again: the legal form at the end, the phone typed differently.
        form, _sep, core = russian[3].values["name"].partition(" ")
        again(russian[3], name=f"{core.strip('«»')}, {form}", phones=retyped(russian[3].values["phones"]))
        # A misspelt name with the same phone.
        form, _sep, core = russian[11].values["name"].partition(" ")
        core = core.strip("«»")
        cut = len(core) // 2
        again(russian[11], name=f"{form} «{core[:cut]}{core[cut + 1 :]}»", inn="", kpp="", ogrn="")
        # A branch: the same INN, another KPP (the finder shows it; a person decides).
        branch = russian[20]
        again(branch, name=f"{branch.values['name']} (филиал)", kpp=branch.values["kpp"][:4] + "02001", phones=[])
        # The same foreign company with another legal form.
        for form in ENGLISH_FORMS:
            if english and english[0].values["name"].endswith(form):
                other = next(f for f in ENGLISH_FORMS if f != form)
                again(english[0], name=english[0].values["name"][: -len(form)] + other)
                break
        # A private buyer twice: without the middle name, the phone typed otherwise.
        again(buyers[4], middle_name="", phones=retyped(buyers[4].values["phones"]))
        # Upper-case e-mail and a misspelt last name.
        with_email = [b for b in buyers if b.values["emails"]]
        last = with_email[9].values["last_name"]
        again(
            with_email[9],
            last_name=last[:-2] + last[-1] + last[-2],
            emails=[e.upper() for e in with_email[9].values["emails"]],
            phones=[],
        )
        return rows
