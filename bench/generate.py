"""Filling a workspace with many clients fast: the data of the client benchmarks (search,
lists, import, duplicates).

`generate_clients(workspace, n, owners=[...])` writes n clients, about 40% companies and
60% people, with phones, e-mails, addresses, tags, lifecycle statuses, some contact
persons' employments and holding parents, and the derived columns (primary phone and
e-mail, city, region, match_name, search_text) computed by the services' own function
`apply_derived`, so that search and lists see exactly what they would after
`client_create`. The data is drawn from the demo's vocabulary (relata.clients.demo) and
Faker name pools, from one seed: the same n and seed give the same clients.

PostgreSQL: COPY (psycopg 3), ids taken from the table's sequence; when the rows written
are many compared with what the tables hold, their secondary indexes are dropped first and
rebuilt after (one CREATE INDEX is many times faster than a million index insertions).
Everything happens in one transaction: a failed run leaves nothing behind.
SQLite: bulk_create in batches (for tests and small bases).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from bench.common import bulk_session, indexes_rebuilt
from relata.clients.demo.vocabulary import (
    CITIES,
    CITY_WEIGHTS,
    COMPANY_TYPES,
    ENGLISH_FORMS,
    ENGLISH_NOUNS,
    FREE_MAIL,
    JOB_TITLES,
    LEGAL_FORMS,
    NAME_ROOTS,
    NAME_SUFFIXES,
    SOURCES,
    STATUS_WEIGHTS,
    TAGS,
    City,
    company_inn,
    company_kpp,
    company_ogrn,
    entrepreneur_ogrnip,
    landline_phone,
    mobile_phone,
    person_inn,
    transliterate,
)
from relata.clients.models import Client, ClientAddress, ClientEmail, ClientPhone, Employment, LifecycleStatus, Tag
from relata.clients.services.clients import apply_derived
from relata.core.models import Membership, Role, Team, User, Workspace
from relata.core.services.workspaces import workspace_create

BATCH = 20_000
# Rows written from which rebuilding the indexes beats inserting into them: at least this
# many, and at least a third of what the table holds (a rebuild reads the whole table).
REBUILD_INDEXES_FROM = 50_000
COMPANY_SHARE = 0.4
SYLLABLES = ["ка", "ро", "ли", "на", "те", "ва", "со", "ми", "ре", "ла", "то", "ни", "ке", "ду", "ра", "по", "ве"]
SYLLABLES += ["мо", "ги", "се", "лан", "тор", "вел", "мар", "кон", "дин", "бер", "рос", "тех", "лит", "ар", "ис"]
SYLLABLES += ["ол", "ем", "ус", "ан", "ор", "ин", "ал", "ер"]
EXTRA_TAGS = ["склад", "рассрочка", "предоплата", "дилер", "проект", "ремонт", "дача", "крупный", "мелкий"]
EXTRA_TAGS += ["повторный", "сезонный", "юг", "север", "запад", "восток", "новый", "спящий"]


# --- The benchmark workspace ------------------------------------------------------------


@dataclass
class BenchTeam:
    """A benchmark workspace's people: managers (scope own) own the clients with the head."""

    admin: Membership
    head: Membership
    managers: list[Membership]

    @property
    def workspace(self) -> Workspace:
        return self.admin.workspace

    @property
    def owner_ids(self) -> list[int]:
        return [self.head.user_id, *(m.user_id for m in self.managers)]


def _member(workspace: Workspace, email: str) -> Membership:
    return Membership.objects.select_related("workspace", "role", "user", "team").get(
        workspace=workspace, user__email=email
    )


def bench_workspace(slug: str, *, name: str = "", managers: int = 40, teams: int = 4) -> BenchTeam:
    """The workspace `slug` with an administrator, a head of sales (team "Sales") and
    `managers` sales managers spread over `teams` teams under it. Created on first use,
    then found again (idempotent); users are admin@<slug>.bench.test, head@…, m<n>@…"""
    domain = f"{slug}.bench.test"
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        admin = workspace_create(
            name=name or slug, slug=slug, admin_email=f"admin@{domain}", admin_name="Bench Admin", language="en"
        )
        workspace = admin.workspace
        roles = {r.key: r for r in Role.objects.filter(workspace=workspace).exclude(key="")}
        sales = Team.objects.create(workspace=workspace, name="Sales")
        squads = [Team.objects.create(workspace=workspace, name=f"Sales {n + 1}", parent=sales) for n in range(teams)]
        people = [("head", "Bench Head", roles["head_of_sales"], sales)]
        people += [(f"m{n}", f"Manager {n}", roles["sales_manager"], squads[n % teams]) for n in range(managers)]
        User.objects.bulk_create(
            [User(email=f"{login}@{domain}", full_name=full) for login, full, _r, _t in people], ignore_conflicts=True
        )
        users = {u.email: u for u in User.objects.filter(email__endswith=f"@{domain}")}
        Membership.objects.bulk_create(
            [
                Membership(workspace=workspace, user=users[f"{login}@{domain}"], role=role, team=team)
                for login, _f, role, team in people
            ]
        )
    found = [_member(workspace, f"m{n}@{domain}") for n in range(managers)]
    return BenchTeam(_member(workspace, f"admin@{domain}"), _member(workspace, f"head@{domain}"), found)


def client_bench(n: int, *, seed: int = 1, log: Callable[[str], None] = print) -> BenchTeam:
    """The shared workspace of the client benchmarks holding `n` generated clients
    (slug bench-clients-<n>): generated on first use and reused by later runs."""
    team = bench_workspace(f"bench-clients-{n}", name=f"Bench clients {n}")
    have = Client.objects.filter(workspace=team.workspace).count()
    if have == n:
        return team
    if have:
        raise RuntimeError(f"bench-clients-{n} holds {have} clients, not {n}: drop the benchmark database")
    log(f"  generating {n} clients…")
    start = time.perf_counter()
    generate_clients(team.workspace, n, owners=team.owner_ids, seed=seed)
    seconds = time.perf_counter() - start
    log(f"  generated {n} clients in {seconds:.1f} s ({n / seconds:,.0f} clients/s)")
    return team


# --- Drawing clients ------------------------------------------------------------------


@dataclass
class Batch:
    """Rows of up to BATCH clients; children refer to their client by position."""

    clients: list[SimpleNamespace] = field(default_factory=list)
    phones: list[tuple[int, str, str, bool]] = field(default_factory=list)
    emails: list[tuple[int, str, str, bool]] = field(default_factory=list)
    addresses: list[tuple[int, str, str, str, str, str, bool]] = field(default_factory=list)
    tags: list[tuple[int, int]] = field(default_factory=list)
    # (person position, company, job title, department): a company is an id, or -1 - its position in this batch
    employments: list[tuple[int, int, str, str]] = field(default_factory=list)


def _defaults() -> dict[str, Any]:
    """Every column of a client, empty: the NOT NULL text columns as ""."""
    values: dict[str, Any] = {}
    for f in Client._meta.concrete_fields:
        if f.primary_key:
            continue
        values[f.attname] = None if f.null else (f.get_default() if f.has_default() else "")
    values["version"] = 1
    values["custom"] = {}
    return values


class ClientMaker:
    """Draws clients from pools made once by Faker: a million rows cost a minute, not an hour."""

    def __init__(self, workspace: Workspace, owners: list[int], seed: int) -> None:
        self.workspace_id = workspace.pk
        self.owners = owners
        self.rng = random.Random(seed)
        ru, en = Faker("ru_RU"), Faker("en_US")
        ru.seed_instance(seed)
        en.seed_instance(seed)
        # Last, first and middle names drawn apart: 600,000 people get as varied names as a real base.
        self.male = (_pool(ru.last_name_male), _pool(ru.first_name_male), _pool(ru.middle_name_male))
        self.female = (_pool(ru.last_name_female), _pool(ru.first_name_female), _pool(ru.middle_name_female))
        self.english = (_pool(en.last_name), _pool(en.first_name), [""])
        self.streets = [ru.street_address() for _n in range(3000)]
        self.translit = {w: transliterate(w) for w in {*NAME_ROOTS, *NAME_SUFFIXES, *SYLLABLES}}
        statuses = dict(
            LifecycleStatus.objects.filter(workspace_id=workspace.pk).exclude(key="").values_list("key", "pk")
        )
        self.status_ids = [statuses[key] for key in STATUS_WEIGHTS]
        self.status_weights = list(STATUS_WEIGHTS.values())
        self.tag_ids = _tags(workspace.pk, TAGS + EXTRA_TAGS)
        self.company_ids: list[int] = []
        self.defaults = _defaults()
        self.now = timezone.now()
        self.types = [(industry, activities) for industry, activities, _w in COMPANY_TYPES]
        self.type_weights = [w for _i, _a, w in COMPANY_TYPES]

    def _person(self, pool: tuple[list[str], list[str], list[str]]) -> tuple[str, str, str]:
        return self.rng.choice(pool[0]), self.rng.choice(pool[1]), self.rng.choice(pool[2])

    def _translit(self, word: str) -> str:
        known = self.translit.get(word)
        if known is None:
            known = self.translit[word] = transliterate(word)
        return known

    def _core(self) -> tuple[str, str]:
        """A company's name inside the quotes, and its Latin form for the domain."""
        rng = self.rng
        style = rng.random()
        if style < 0.45:
            parts = [rng.choice(SYLLABLES) for _n in range(rng.randrange(2, 4))]
            suffix = rng.choice(NAME_SUFFIXES)
            word = "".join(parts).capitalize()
            return word + suffix, "".join(self._translit(p) for p in parts) + self._translit(suffix)
        if style < 0.7:
            root, suffix = rng.choice(NAME_ROOTS), rng.choice(NAME_SUFFIXES)
            return root + suffix, self._translit(root) + self._translit(suffix)
        last = rng.choice(self.male[0])
        prefix = rng.choice(["СК", "ТД", "ПСК"])
        return f"{prefix} {last}", f"{self._translit(prefix)}-{self._translit(last)}"

    def _company(self, row: dict[str, Any], city: City) -> tuple[str, bool]:
        """Fill a company's profile; returns its domain and whether it is English."""
        rng = self.rng
        industry, activities = rng.choices(self.types, self.type_weights)[0]
        row.update(industry=industry, activity=rng.choice(activities), source=rng.choice(SOURCES))
        style = rng.random()
        if style < 0.06:
            last = rng.choice(self.english[0])
            row["name"] = f"{last} {rng.choice(ENGLISH_NOUNS)} {rng.choice(ENGLISH_FORMS)}"
            domain, english = f"{last.lower()}-{rng.randrange(100)}.com", True
        elif style < 0.16:
            last, first, middle = self._person(self.male)
            row["name"] = f"ИП {last} {first[0]}.{middle[0]}."
            row["legal_name"] = f"Индивидуальный предприниматель {last} {first} {middle}"
            row["inn"] = person_inn(rng, city.tax_region)
            row["ogrn"] = entrepreneur_ogrnip(rng, city.tax_region)
            domain, english = f"{self._translit(last)}{rng.randrange(1000)}.ru", False
        else:
            form = rng.choices(("ООО", "АО", "ПАО", "ЗАО"), (80, 12, 2, 6))[0]
            core, latin = self._core()
            row["name"] = f"{form} «{core}»"
            if rng.random() < 0.5:
                row["legal_name"] = f"{LEGAL_FORMS[form]} «{core}»"
            row["inn"] = company_inn(rng, city.tax_region)
            row["kpp"] = company_kpp(row["inn"])
            row["ogrn"] = company_ogrn(rng, city.tax_region)
            domain, english = f"{latin}{rng.randrange(100) if rng.random() < 0.5 else ''}.ru", False
        size = rng.choice((8, 15, 30, 60, 120, 250, 600))
        if rng.random() < 0.7:
            row["annual_revenue"] = size * rng.randrange(2, 9) * 1_000_000
            row["headcount"] = size + rng.randrange(size)
        if rng.random() < 0.7:
            row["website"] = f"https://{domain}"
        if self.company_ids and rng.random() < 0.01:
            row["parent_id"] = rng.choice(self.company_ids)
        return domain, english

    def batch(self, first: int, count: int, total: int) -> Batch:
        """Clients number `first`…`first + count - 1` of `total` (older first)."""
        rng, batch = self.rng, Batch()
        companies = list(self.company_ids)  # grows with this batch's companies, as -1 - position
        span = dt.timedelta(days=3 * 365).total_seconds()
        for i in range(count):
            number = first + i
            row = dict(self.defaults)
            city = rng.choices(CITIES, CITY_WEIGHTS)[0]
            created = self.now - dt.timedelta(seconds=span * (1 - number / total) + rng.randrange(3600))
            row.update(
                workspace_id=self.workspace_id,
                owner_id=rng.choice(self.owners),
                status_id=rng.choices(self.status_ids, self.status_weights)[0],
                created_at=created,
                updated_at=min(self.now, created + dt.timedelta(days=rng.randrange(60))),
            )
            phones: list[dict[str, Any]] = []
            emails: list[dict[str, Any]] = []
            addresses: list[dict[str, Any]] = []
            if rng.random() < COMPANY_SHARE:
                row["kind"] = "company"
                domain, _english = self._company(row, city)
                companies.append(-1 - i)
                phones.append({"number": landline_phone(rng, city), "kind": "work"})
                if rng.random() < 0.4:
                    phones.append({"number": mobile_phone(rng), "kind": "mobile"})
                if rng.random() < 0.9:
                    emails.append({"email": f"{rng.choice(('info', 'zakaz', 'sales', 'office'))}@{domain}"})
                if rng.random() < 0.9:
                    addresses.append({"kind": "legal", "region": city.region, "city": city.name})
            else:
                row["kind"] = "person"
                gender = rng.choice(("male", "female"))
                english = rng.random() < 0.05
                pool = self.english if english else self.male if gender == "male" else self.female
                last, first_name, middle = self._person(pool)
                row.update(last_name=last, first_name=first_name, middle_name=middle, gender=gender)
                row["name"] = " ".join(p for p in (last, first_name, middle) if p)
                row["source"] = rng.choice(SOURCES) if rng.random() < 0.6 else ""
                if rng.random() < 0.9:
                    phones.append({"number": mobile_phone(rng), "kind": "mobile"})
                if rng.random() < 0.65:
                    login = f"{self._translit(first_name)}.{self._translit(last)}{rng.randrange(10_000)}"
                    emails.append({"email": f"{login}@{rng.choice(FREE_MAIL)}", "kind": "personal"})
                if rng.random() < 0.6:
                    addresses.append({"kind": "home", "region": city.region, "city": city.name})
                if rng.random() < 0.4:
                    row["birthday"] = dt.date(rng.randrange(1950, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
                if rng.random() < 0.03:
                    row["inn"] = person_inn(rng, city.tax_region)
                if companies and rng.random() < 0.2:
                    title, department = rng.choice(JOB_TITLES)
                    batch.employments.append((i, rng.choice(companies), title, department))
            for n, phone in enumerate(phones):
                phone["is_primary"] = n == 0
                batch.phones.append((i, phone["number"], phone["kind"], n == 0))
            for n, email in enumerate(emails):
                email["is_primary"] = n == 0
                batch.emails.append((i, email["email"], email.get("kind", "work"), n == 0))
            for address in addresses:
                address["is_primary"] = True
                street = rng.choice(self.streets)
                postcode = f"{rng.randrange(100_000, 700_000)}"
                batch.addresses.append((i, address["kind"], address["region"], city.name, street, postcode, True))
            if rng.random() < 0.35:
                for tag_id in rng.sample(self.tag_ids, rng.randrange(1, 3)):
                    batch.tags.append((i, tag_id))
            client = SimpleNamespace(**row)
            apply_derived(client, phones, emails, addresses)  # type: ignore[arg-type]
            batch.clients.append(client)
        return batch

    def remember(self, batch: Batch, ids: list[int]) -> None:
        self.company_ids.extend(pk for pk, c in zip(ids, batch.clients, strict=True) if c.kind == "company")


def _pool(draw: Callable[[], str], size: int = 4000) -> list[str]:
    """Every value Faker gives within `size` draws, in a stable order."""
    return sorted({draw() for _n in range(size)})


def _tags(workspace_id: int, names: list[str]) -> list[int]:
    Tag.objects.bulk_create([Tag(workspace_id=workspace_id, name=name) for name in names], ignore_conflicts=True)
    tags = Tag.objects.filter(workspace_id=workspace_id, name__in=names).order_by("name")
    return list(tags.values_list("pk", flat=True))


# --- Writing --------------------------------------------------------------------------


def _child_rows(batch: Batch, ids: list[int], ws: int, now: dt.datetime) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "phones": [(ws, now, now, ids[i], number, "", kind, primary) for i, number, kind, primary in batch.phones],
        "emails": [(ws, now, now, ids[i], email, kind, primary) for i, email, kind, primary in batch.emails],
        "addresses": [(ws, now, now, ids[i], kind, "RU", *rest) for i, kind, *rest in batch.addresses],
        "tags": [(ids[i], tag_id) for i, tag_id in batch.tags],
        "employments": [
            (ws, now, now, ids[i], company if company > 0 else ids[-1 - company], title, department, True)
            for i, company, title, department in batch.employments
        ],
    }


_STAMPS = ["workspace_id", "created_at", "updated_at"]
CHILD_TABLES: dict[str, tuple[Any, list[str]]] = {
    "phones": (ClientPhone, [*_STAMPS, "client_id", "number", "extension", "kind", "is_primary"]),
    "emails": (ClientEmail, [*_STAMPS, "client_id", "email", "kind", "is_primary"]),
    "addresses": (
        ClientAddress,
        [*_STAMPS, "client_id", "kind", "country", "region", "city", "street", "postcode", "is_primary"],
    ),
    "tags": (Client.tags.through, ["client_id", "tag_id"]),
    "employments": (Employment, [*_STAMPS, "person_id", "company_id", "job_title", "department", "is_primary"]),
}


class PostgresWriter:
    """COPY into the tables, ids drawn from the clients' sequence."""

    def __init__(self) -> None:
        self.columns = [f.attname for f in Client._meta.concrete_fields]

    @contextmanager
    def loading(self, n: int) -> Iterator[None]:
        tables = [Client._meta.db_table] + [model._meta.db_table for model, _c in CHILD_TABLES.values()]
        with connection.cursor() as cursor:
            bulk_session(cursor)
            cursor.execute(f"SELECT COUNT(*) FROM {Client._meta.db_table}")  # noqa: S608
            existing = cursor.fetchone()[0]
        with indexes_rebuilt(tables, n >= REBUILD_INDEXES_FROM and 3 * n >= existing):
            yield
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")

    def write(self, batch: Batch) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Client._meta.db_table, len(batch.clients)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            raw = cursor.cursor
            columns = self.columns[1:]
            with raw.copy(f"COPY {Client._meta.db_table} (id, {', '.join(columns)}) FROM STDIN") as copy:
                for pk, client in zip(ids, batch.clients, strict=True):
                    values = vars(client)
                    values["custom"] = json.dumps(values["custom"])
                    copy.write_row((pk, *(values[c] for c in columns)))
        return ids

    def write_children(self, batch: Batch, ids: list[int], ws: int) -> None:
        rows = _child_rows(batch, ids, ws, timezone.now())
        with connection.cursor() as cursor:
            for key, (model, columns) in CHILD_TABLES.items():
                if not rows[key]:
                    continue
                with cursor.cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows[key]:
                        copy.write_row(row)


class BulkWriter:
    """bulk_create (SQLite, or any other database)."""

    @contextmanager
    def loading(self, n: int) -> Iterator[None]:
        yield

    def write(self, batch: Batch) -> list[int]:
        clients = [Client(**vars(c)) for c in batch.clients]
        Client.objects.bulk_create(clients, batch_size=500)
        # auto_now_add stamped "now": put back the generated dates.
        for client, row in zip(clients, batch.clients, strict=True):
            client.created_at, client.updated_at = row.created_at, row.updated_at
        Client.objects.bulk_update(clients, ["created_at", "updated_at"], batch_size=500)
        return [c.pk for c in clients]

    def write_children(self, batch: Batch, ids: list[int], ws: int) -> None:
        rows = _child_rows(batch, ids, ws, timezone.now())
        for key, (model, columns) in CHILD_TABLES.items():
            objects = [model(**dict(zip(columns, row, strict=True))) for row in rows[key]]
            model.objects.bulk_create(objects, batch_size=500)


def generate_clients(
    workspace: Workspace,
    n: int,
    *,
    owners: list[int],
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Add `n` clients to `workspace`, owned by the users `owners` (members of it), in one
    transaction, then (PostgreSQL, outside a transaction) vacuum the tables. Deterministic
    for a given seed and workspace state."""
    if not owners:
        raise ValueError("generate_clients needs at least one owner")
    maker = ClientMaker(workspace, owners, seed)
    writer: PostgresWriter | BulkWriter = PostgresWriter() if connection.vendor == "postgresql" else BulkWriter()
    with transaction.atomic(), writer.loading(n):
        done = 0
        while done < n:
            batch = maker.batch(done, min(BATCH, n - done), n)
            ids = writer.write(batch)
            maker.remember(batch, ids)
            writer.write_children(batch, ids, workspace.pk)
            done += len(ids)
            if progress is not None:
                progress(done, n)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # As autovacuum would do in a while: mark the pages all-visible, so that counts
        # can be answered from indexes alone (index-only scans), as on a live database.
        with connection.cursor() as cursor:
            for table in [Client._meta.db_table] + [model._meta.db_table for model, _c in CHILD_TABLES.values()]:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
