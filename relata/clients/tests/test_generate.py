"""The benchmark generator (bench/generate.py): a base written through the bulk paths
(COPY on PostgreSQL, bulk_create on SQLite) must be what the services would have written,
so that the search and list benchmarks measure real rows."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.generate import bench_workspace, generate_clients
from relata.clients.models import Client, ClientAddress, ClientEmail, ClientPhone, Employment, LifecycleStatus, Tag
from relata.clients.normalize import (
    normalize_email,
    normalize_phone,
    normalize_website,
    validate_inn,
    validate_kpp,
    validate_ogrn,
)
from relata.clients.selectors import search
from relata.clients.selectors.search import search_clients
from relata.clients.services.clients import DERIVED, client_create, refresh_derived

N = 150


@pytest.fixture
def owners(personas) -> list[int]:
    owners = [personas.manager1.user_id, personas.manager2.user_id, personas.head.user_id]
    generate_clients(personas.admin.workspace, N, owners=owners, seed=3)
    return owners


def test_n_clients_of_both_kinds_with_their_details(personas, owners):
    ws = personas.admin.workspace
    clients = Client.objects.filter(workspace=ws)
    assert clients.count() == N
    kinds = Counter(clients.values_list("kind", flat=True))
    assert 0.25 * N <= kinds["company"] <= 0.55 * N and kinds["person"] == N - kinds["company"]
    assert set(clients.values_list("owner_id", flat=True)) == set(owners)
    statuses = set(LifecycleStatus.objects.filter(workspace=ws).values_list("pk", flat=True))
    assert set(clients.values_list("status_id", flat=True)) <= statuses
    assert len(set(clients.values_list("status_id", flat=True))) >= 4
    assert ClientPhone.objects.filter(workspace=ws).count() > 0.8 * N
    assert ClientEmail.objects.filter(workspace=ws).count() > 0.5 * N
    assert ClientAddress.objects.filter(workspace=ws).count() > 0.5 * N
    assert Client.tags.through.objects.filter(client__workspace=ws).count() > 0.2 * N
    assert Employment.objects.filter(workspace=ws, person__kind="person", company__kind="company").exists()
    assert set(Tag.objects.filter(clients__workspace=ws).values_list("workspace_id", flat=True)) == {ws.pk}
    # The rows are dated over years, older first, as a base that grew.
    dates = list(clients.order_by("pk").values_list("created_at", flat=True))
    assert (dates[-1] - dates[0]).days > 365 and dates[0] < dates[len(dates) // 2] < dates[-1]
    assert not Client.objects.filter(workspace=personas.other.workspace).exists()


def test_derived_columns_equal_what_the_services_compute(personas, owners):
    for client in Client.objects.filter(workspace=personas.admin.workspace):
        stored = {name: getattr(client, name) for name in DERIVED}
        refresh_derived(client)
        assert {name: getattr(client, name) for name in DERIVED} == stored, client.name


def test_values_pass_the_rules_of_the_services(personas, owners):
    ws = personas.admin.workspace
    clients = list(Client.objects.filter(workspace=ws))
    assert all(validate_inn(c.inn) == c.inn for c in clients if c.inn)
    assert all(validate_kpp(c.kpp) == c.kpp for c in clients if c.kpp)
    assert all(validate_ogrn(c.ogrn) == c.ogrn for c in clients if c.ogrn)
    assert all(normalize_website(c.website) == c.website for c in clients if c.website)
    assert all(c.name for c in clients)
    numbers = ClientPhone.objects.filter(workspace=ws).values_list("number", flat=True)
    assert all(normalize_phone(n) == n for n in numbers)
    emails = ClientEmail.objects.filter(workspace=ws).values_list("email", flat=True)
    assert all(normalize_email(e) == e and e.isascii() for e in emails)
    primaries = Counter(ClientPhone.objects.filter(workspace=ws, is_primary=True).values_list("client_id", flat=True))
    assert set(primaries.values()) == {1}
    assert len(primaries) == len(set(ClientPhone.objects.filter(workspace=ws).values_list("client_id", flat=True)))


def test_the_search_box_finds_generated_clients(personas, owners):
    admin = personas.admin
    clients = Client.objects.filter(workspace=admin.workspace)
    person = clients.filter(kind="person").exclude(primary_phone="").exclude(primary_email="").first()
    company = clients.filter(kind="company").exclude(primary_phone="").first()
    digits = person.primary_phone[2:]
    assert person in search_clients(admin, f"{digits[:3]} {digits[3:6]}-{digits[6:8]}", limit=50)
    assert person in search_clients(admin, person.primary_email.split("@")[0], limit=50)
    assert person in search_clients(admin, f"{person.last_name} {person.first_name}", limit=50)
    assert company in search_clients(admin, company.name, limit=50)
    # A manager finds only their own.
    mine = {c.pk for c in clients.filter(owner=personas.manager1.user)}
    found = search_clients(personas.manager1, company.name, limit=50)
    assert all(c.pk in mine for c in found)
    assert (company in found) == (company.pk in mine)


def test_the_same_seed_gives_the_same_clients(personas):
    def made(membership) -> list[tuple[str, str, str, str]]:
        generate_clients(membership.workspace, 40, owners=[membership.user_id], seed=9)
        rows = Client.objects.filter(workspace=membership.workspace).order_by("pk")
        return list(rows.values_list("kind", "name", "primary_phone", "primary_email"))

    assert made(personas.admin) == made(personas.other)


def test_without_owners_nothing_is_written(personas):
    with pytest.raises(ValueError, match="owner"):
        generate_clients(personas.admin.workspace, 10, owners=[])
    assert not Client.objects.filter(workspace=personas.admin.workspace).exists()


def test_the_bench_workspace_is_made_once(db):
    team = bench_workspace("gen-test", managers=3, teams=2)
    again = bench_workspace("gen-test", managers=3, teams=2)
    assert again.admin.pk == team.admin.pk and [m.pk for m in again.managers] == [m.pk for m in team.managers]
    assert team.admin.scope == "all" and team.head.scope == "team"
    assert {m.scope for m in team.managers} == {"own"} and len({m.team_id for m in team.managers}) == 2
    assert team.owner_ids == [team.head.user_id, *(m.user_id for m in team.managers)]


# --- The search box's rules that keep it fast at a million clients (bench/client_search.py)


def test_two_letters_match_where_a_word_starts(personas):
    admin = personas.admin
    client_create(admin, kind="company", values={"name": "ООО «Ивантеевский кирпич»"})
    client_create(admin, kind="company", values={"name": "ООО «Сиваш»"})  # "ив" inside a word
    client_create(admin, kind="person", values={"last_name": "Петров", "first_name": "Иван"})
    assert {c.name for c in search_clients(admin, "Ив")} == {"ООО «Ивантеевский кирпич»", "Петров Иван"}
    assert [c.name for c in search_clients(admin, "ива")] == ["ООО «Ивантеевский кирпич»", "ООО «Сиваш»", "Петров Иван"]


def test_near_spellings_only_when_nothing_matches_and_the_most_alike_first(personas):
    admin = personas.admin
    for last in ["Абрамова", "Симонова", "Сидорова"]:
        client_create(admin, kind="person", values={"last_name": last, "first_name": "Валентина"})
    assert [c.name for c in search_clients(admin, "Симноова Валентина")][0] == "Симонова Валентина"
    # Something contains the text: those, and no near-spellings with them.
    assert [c.name for c in search_clients(admin, "Симонова")] == ["Симонова Валентина"]


def test_a_fragment_in_very_many_clients_ranks_a_bounded_number(personas, owners, monkeypatch):
    admin = personas.admin
    common = Client.objects.filter(workspace=admin.workspace, name__startswith="ООО").count()
    assert common > 5
    monkeypatch.setattr(search, "CANDIDATES", 5)
    found = search_clients(admin, "ооо", limit=50)
    assert len(found) == 5 and all(c.name.startswith("ООО") for c in found)
    assert found == sorted(found, key=lambda c: (c.name, c.pk))
