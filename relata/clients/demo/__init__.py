"""The client base of the demo workspace ("ООО «Кирпичный двор»", a building-materials
supplier): about 300 companies (construction firms, developers, dealers, a few holding
groups) and 600 people (their contact persons, and private buyers), made with Faker's
ru_RU and en_US from a fixed seed, so every demo has the same clients.

Every value is typed as a user or an import would type it and goes through
`prepare_client` (the rules of the forms, the API and the import: valid INN/KPP/OGRN,
phones that normalise, known statuses and owners). The clients are then written in bulk,
with the derived columns the services compute (`apply_derived`) and one "client.created"
event each, dated when the client "came": 900 `client_create` calls would spend most of
their time re-checking what is known to be consistent here.

Modules: `vocabulary` (cities, names, valid INN/KPP/OGRN, phones; the benchmark generator
bench/generate.py draws from it too), `maker` (the rows, from Faker and one seed),
`writing` (the bulk write). The step registers itself when this package is imported.
"""

from __future__ import annotations

from django.db import transaction

from relata.clients.demo.maker import DemoMaker, DemoRow
from relata.clients.demo.vocabulary import CITIES, CONTACT_CHANNELS
from relata.clients.demo.writing import write_clients
from relata.clients.models import Client, LifecycleStatus, Tag
from relata.clients.services.assignment import assignment_rule_create
from relata.clients.services.custom_fields import custom_field_create
from relata.clients.services.prepare import ClientContext
from relata.clients.services.segments import segment_create
from relata.core.demo import register_demo_step
from relata.core.models import Membership, Workspace

COMPANIES = 285  # plus the holding groups and the deliberate near-duplicates: about 300
PRIVATE_BUYERS = 230
HOLDINGS: list[tuple[str, str, list[str]]] = [
    ("АО «ГК Монолит»", "Москва", ["ООО «Монолит-Девелопмент»", "ООО «Монолит-Бетон»", "ООО «Монолит-Логистик»"]),
    ("ПАО «Группа Мегаполис»", "Санкт-Петербург", ["ООО «Мегаполис Северо-Запад»", "АО «ДСК Мегаполис»"]),
    ("Nordic Stone Holding Ltd", "Санкт-Петербург", ["Nordic Stone Rus LLC", "Nordic Timber LLC"]),
]


def _custom_fields(admin: Membership) -> None:
    custom_field_create(
        admin,
        entity="company",
        key="monthly_volume",
        label="Объём закупок в месяц, т",
        field_type="number",
        help_text="Сколько тонн материалов компания закупает в месяц, у нас и у других.",
    )
    custom_field_create(
        admin,
        entity="person",
        key="contact_channel",
        label="Канал связи",
        field_type="choice",
        choices=CONTACT_CHANNELS,
        help_text="Как человек предпочитает, чтобы с ним связывались.",
    )


def _segments_and_rule(admin: Membership, head: Membership, managers: list[int]) -> None:
    ws = admin.workspace_id
    statuses = {s.key: s.pk for s in LifecycleStatus.objects.filter(workspace_id=ws).exclude(key="")}
    vip = Tag.objects.get(workspace_id=ws, name="VIP")
    segment_create(
        head,
        name="VIP в Москве",
        entity="company",
        description="Компании с меткой VIP и адресом в Москве.",
        definition={
            "conditions": [
                {"field": "tags", "op": "any", "value": [vip.pk]},
                {"field": "region", "op": "eq", "value": "Москва"},
            ]
        },
    )
    segment_create(
        head,
        name="Холодные без контакта",
        entity="company",
        description="Холодные компании без телефона и e-mail: найти, кому позвонить.",
        definition={
            "conditions": [
                {"field": "status", "op": "in", "value": [statuses["cold"]]},
                {"field": "primary_phone", "op": "empty", "value": None},
                {"field": "primary_email", "op": "empty", "value": None},
            ]
        },
    )
    region = segment_create(
        admin,
        name="Компании Московской области",
        entity="company",
        description="Для правила распределения новых компаний.",
        definition={"conditions": [{"field": "region", "op": "eq", "value": "Московская область"}]},
    )
    assignment_rule_create(
        admin,
        name="Московская область — менеджерам по очереди",
        entity="company",
        segment_id=region.pk,
        strategy="round_robin",
        manager_ids=managers,
    )


@transaction.atomic
def clients_demo(workspace: Workspace) -> None:
    """Fill the demo workspace's client base. Idempotent: a workspace that already has
    clients is left as it is. Needs the demo users of relata.core.demo (the managers and
    the head of sales own the clients; without them the administrator does)."""
    if Client.objects.filter(workspace_id=workspace.pk).exists():
        return
    members = {
        m.user.email: m
        for m in Membership.objects.filter(workspace_id=workspace.pk).select_related("user", "role", "workspace")
    }
    admin = next(m for m in members.values() if m.role.key == "administrator")
    head = members.get("head@demo.relata.test", admin)
    manager = members.get("manager@demo.relata.test", admin)
    manager2 = members.get("manager2@demo.relata.test", admin)
    _custom_fields(admin)
    context = ClientContext.load(admin)
    owners = {"admin": admin, "head": head, "manager": manager, "manager2": manager2}
    maker = DemoMaker({key: member.user_id for key, member in owners.items()})

    companies: list[DemoRow] = []
    for parent, city_name, subsidiaries in HOLDINGS:
        city = next(c for c in CITIES if c.name == city_name)
        holding = maker.company(parent, city)
        companies.append(holding)
        for name in subsidiaries:
            row = maker.company(name, city)
            row.values["owner"], row.parent = holding.values["owner"], parent
            companies.append(row)
    for n in range(COMPANIES):
        row = maker.company()
        companies.append(maker.no_contacts(row) if n % 16 == 7 else row)
    buyers = [maker.buyer() for _n in range(PRIVATE_BUYERS)]
    duplicates = maker.near_duplicates(companies, buyers)
    company_rows = companies + [d for d in duplicates if d.kind == "company"]
    written = write_clients(context, company_rows)
    by_name = {c.name: c for c in written}
    for client, row in zip(written, company_rows, strict=True):
        if row.parent:
            client.parent_id = by_name[row.parent].pk
    Client.objects.bulk_update([c for c in written if c.parent_id], ["parent"])

    people: list[DemoRow] = []
    for client, row in zip(written, company_rows, strict=True):
        if not row.values["phones"]:
            continue
        count = maker.rng.choices([0, 1, 2, 3], [15, 40, 30, 15])[0]
        people.extend(maker.contact(row, client.pk, main=i == 0) for i in range(count))
    # Some people work for two companies of one holding.
    for parent, _city, subsidiaries in HOLDINGS:
        sister = by_name[subsidiaries[-1]]
        for person in [p for p in people if p.values["companies"][0]["company"] == by_name[parent].pk][:2]:
            job = dict(person.values["companies"][0], company=sister.pk, is_primary=False)
            person.values["companies"].append(job)
    write_clients(context, people + buyers + [d for d in duplicates if d.kind == "person"])
    _segments_and_rule(admin, head, [manager.user_id, manager2.user_id])


register_demo_step(clients_demo, order=20)
