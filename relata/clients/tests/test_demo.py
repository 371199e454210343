"""The demo workspace's client base (relata.clients.demo): what `manage.py demo` promises
a visitor — realistic companies and people of a building-materials supplier, valid
registration numbers and phones, segments, an assignment rule, duplicates to find — and
that running it again changes nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import Count
from rapidfuzz import fuzz

from relata.clients import demo  # registers the demo step, as relata/clients/registrations.py does
from relata.clients.models import (
    AssignmentRule,
    Client,
    ClientEmail,
    ClientPhone,
    Consent,
    CustomField,
    Employment,
    Segment,
    Tag,
)
from relata.clients.normalize import (
    normalize_email,
    normalize_phone,
    normalize_website,
    validate_inn,
    validate_kpp,
    validate_ogrn,
)
from relata.clients.selectors.lists import segment_queryset
from relata.clients.selectors.search import search_clients
from relata.clients.services.clients import DERIVED, client_create, refresh_derived
from relata.core.demo import _DEMO_STEPS, create_demo_workspace
from relata.core.models import Event, Membership, Workspace


@pytest.fixture
def workspace(db) -> Workspace:
    return create_demo_workspace()


def member(workspace: Workspace, email: str) -> Membership:
    return Membership.objects.select_related("workspace", "role", "user").get(workspace=workspace, user__email=email)


def counts(workspace: Workspace) -> dict[str, int]:
    ws = workspace.pk
    return {
        "clients": Client.objects.filter(workspace_id=ws).count(),
        "phones": ClientPhone.objects.filter(workspace_id=ws).count(),
        "employments": Employment.objects.filter(workspace_id=ws).count(),
        "tags": Tag.objects.filter(workspace_id=ws).count(),
        "custom fields": CustomField.objects.filter(workspace_id=ws).count(),
        "segments": Segment.objects.filter(workspace_id=ws).count(),
        "rules": AssignmentRule.objects.filter(workspace_id=ws).count(),
        "events": Event.objects.filter(workspace_id=ws).count(),
    }


def test_the_step_is_registered_after_the_platform():
    assert (20, demo.clients_demo) in _DEMO_STEPS


def test_companies_and_people_of_a_building_materials_supplier(workspace):
    clients = Client.objects.filter(workspace=workspace)
    kinds = Counter(clients.values_list("kind", flat=True))
    assert 280 <= kinds["company"] <= 320
    assert 550 <= kinds["person"] <= 650
    companies = clients.filter(kind="company")
    names = list(companies.values_list("name", flat=True))
    assert sum(n.startswith(("ООО «", "АО «", "ПАО «", "ЗАО «", "ИП ")) for n in names) > 200
    assert sum(n.isascii() for n in names) >= 10  # some English names
    assert set(companies.values_list("industry", flat=True)) >= {"Строительство", "Девелопмент"}
    assert companies.exclude(annual_revenue=None).count() > 200 and companies.exclude(headcount=None).count() > 200
    assert companies.exclude(website="").count() > 250
    assert len(set(companies.values_list("region", flat=True))) >= 10
    assert companies.filter(region="Московская область").count() >= 10
    # Holding groups: subsidiaries with their parent.
    assert companies.exclude(parent=None).count() >= 7
    # Every lifecycle status is used; the sales team owns most of the base.
    assert set(clients.values_list("status__key", flat=True)) == {
        "cold",
        "considering",
        "ready_to_buy",
        "client",
        "regular_client",
        "inactive",
    }
    owners = Counter(clients.values_list("owner__email", flat=True))
    sales = owners["manager@demo.relata.test"] + owners["manager2@demo.relata.test"] + owners["head@demo.relata.test"]
    assert sales >= 0.9 * clients.count() and owners["manager@demo.relata.test"] > 200
    tags = set(Tag.objects.filter(workspace=workspace).values_list("name", flat=True))
    assert tags >= {"бетон", "кирпич", "опт", "VIP"}
    assert Client.tags.through.objects.filter(client__workspace=workspace).count() > 300
    assert len(set(clients.values_list("source", flat=True))) >= 6


def test_contact_persons_private_buyers_and_custom_fields(workspace):
    people = Client.objects.filter(workspace=workspace, kind="person")
    jobs = Employment.objects.filter(workspace=workspace)
    assert jobs.count() > 300 and jobs.exclude(job_title="").count() == jobs.count()
    assert jobs.filter(company__kind="company", person__kind="person").count() == jobs.count()
    assert jobs.values("person").annotate(n=Count("id")).filter(n__gt=1).exists()  # one person, two companies
    assert jobs.filter(is_primary=True).count() > 200
    buyers = people.filter(employments=None)
    assert buyers.count() > 200
    assert buyers.exclude(birthday=None).count() > 200 and buyers.exclude(gender="").count() == buyers.count()
    assert Consent.objects.filter(client__in=buyers).count() > 100
    volume = CustomField.objects.get(workspace=workspace, entity="company", key="monthly_volume")
    channel = CustomField.objects.get(workspace=workspace, entity="person", key="contact_channel")
    assert volume.label == "Объём закупок в месяц, т" and volume.field_type == "number"
    assert channel.field_type == "choice" and "Telegram" in channel.choices
    companies = Client.objects.filter(workspace=workspace, kind="company")
    with_volume = [c for c in companies if "monthly_volume" in c.custom]
    assert len(with_volume) > 150 and all(isinstance(c.custom["monthly_volume"], int) for c in with_volume)
    with_channel = [c for c in people if "contact_channel" in c.custom]
    assert len(with_channel) > 200 and {c.custom["contact_channel"] for c in with_channel} <= set(channel.choices)


def test_registration_numbers_phones_and_addresses_are_valid(workspace):
    clients = list(Client.objects.filter(workspace=workspace))
    inns = [c.inn for c in clients if c.inn]
    assert len(inns) > 250
    assert all(validate_inn(inn) == inn for inn in inns)
    assert all(len(c.inn) == 12 for c in clients if c.inn and (c.kind == "person" or c.name.startswith("ИП ")))
    assert all(validate_kpp(c.kpp) == c.kpp for c in clients if c.kpp)
    assert all(validate_ogrn(c.ogrn) == c.ogrn for c in clients if c.ogrn)
    assert all(normalize_website(c.website) == c.website for c in clients if c.website)
    numbers = list(ClientPhone.objects.filter(workspace=workspace).values_list("number", flat=True))
    assert len(numbers) > 800
    assert all(n.startswith("+7") and normalize_phone(n) == n for n in numbers)
    emails = list(ClientEmail.objects.filter(workspace=workspace).values_list("email", flat=True))
    assert len(emails) > 700 and all(normalize_email(e) == e for e in emails)


def test_derived_columns_are_what_the_services_compute(workspace):
    for client in Client.objects.filter(workspace=workspace).order_by("pk")[::9]:
        stored = {name: getattr(client, name) for name in DERIVED}
        refresh_derived(client)
        assert {name: getattr(client, name) for name in DERIVED} == stored, client.name


def test_every_client_has_its_created_event_dated_when_it_came(workspace):
    clients = {c.pk: c for c in Client.objects.filter(workspace=workspace)}
    events = Event.objects.filter(workspace=workspace, kind="client.created")
    assert events.count() == len(clients)
    for event in events[:50]:
        client = clients[event.target_id]
        assert event.occurred_at == client.created_at and event.actor_id == client.owner_id
        assert event.changes["name"] == [None, client.name]
    created = sorted(c.created_at for c in clients.values())
    assert (created[-1] - created[0]).days > 300  # the base grew over time


def test_near_duplicates_for_the_duplicate_finder(workspace):
    companies = list(Client.objects.filter(workspace=workspace, kind="company"))
    by_inn = Counter(c.inn for c in companies if c.inn)
    assert sum(1 for n in by_inn.values() if n > 1) >= 2  # entered twice, and a branch
    names = [c.match_name for c in companies]
    misspelt = [
        (a, b) for i, a in enumerate(names) for b in names[i + 1 :] if a != b and fuzz.ratio(a, b) >= 92 and len(a) > 6
    ]
    assert misspelt
    phones = Counter(
        ClientPhone.objects.filter(workspace=workspace, client__kind="person").values_list("number", flat=True)
    )
    assert any(n > 1 for n in phones.values())
    emails = Counter(c.primary_email for c in Client.objects.filter(workspace=workspace, kind="person"))
    assert any(n > 1 for email, n in emails.items() if email)


def test_segments_and_the_assignment_rule_work(workspace):
    admin = member(workspace, "admin@demo.relata.test")
    manager = member(workspace, "manager@demo.relata.test")
    manager2 = member(workspace, "manager2@demo.relata.test")
    segments = {s.name: s for s in Segment.objects.filter(workspace=workspace)}
    assert {"VIP в Москве", "Холодные без контакта"} <= set(segments)
    vip = list(segment_queryset(admin, segments["VIP в Москве"]))
    assert vip and all(c.region == "Москва" and "VIP" in {t.name for t in c.tags.all()} for c in vip)
    cold = list(segment_queryset(admin, segments["Холодные без контакта"]))
    assert cold and all(c.status.key == "cold" and not c.primary_phone and not c.primary_email for c in cold)
    rule = AssignmentRule.objects.get(workspace=workspace)
    assert rule.strategy == "round_robin" and rule.entity == "company"
    assert set(rule.managers.values_list("pk", flat=True)) == {manager.user_id, manager2.user_id}
    near_moscow = [{"region": "Московская область", "city": "Химки"}]
    owners = {
        client_create(admin, kind="company", values={"name": f"ООО «Новый {n}»", "addresses": near_moscow}).owner_id
        for n in range(2)
    }
    assert owners == {manager.user_id, manager2.user_id}
    kazan = {"name": "ООО «Казанский»", "addresses": [{"city": "Казань"}]}
    elsewhere = client_create(admin, kind="company", values=kazan)
    assert elsewhere.owner_id == admin.user_id


def test_the_search_box_finds_demo_clients(workspace):
    admin = member(workspace, "admin@demo.relata.test")
    company = Client.objects.filter(workspace=workspace, kind="company").exclude(primary_phone="").order_by("pk")[10]
    digits = company.primary_phone[2:]
    assert company in search_clients(admin, f"{digits[:3]} {digits[3:6]}-{digits[6:8]}")
    assert company in search_clients(admin, company.name)
    manager2 = member(workspace, "manager2@demo.relata.test")
    theirs = set(Client.objects.filter(workspace=workspace, owner=manager2.user).values_list("pk", flat=True))
    assert all(c.pk in theirs for c in search_clients(manager2, "ООО"))


def test_a_second_run_changes_nothing(workspace):
    before = counts(workspace)
    demo.clients_demo(workspace)
    assert create_demo_workspace().pk == workspace.pk
    assert counts(workspace) == before
