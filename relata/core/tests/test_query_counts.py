"""List views run a fixed number of queries whatever the number of rows: an N+1 query
cannot slip in unnoticed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import add_member
from relata.core.audit import record_event


def queries_for(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
        assert response.status_code == 200
    return len(captured)


def grow(personas, start: int, count: int) -> None:
    for n in range(start, start + count):
        member = add_member(personas.admin, f"extra{n}@alpha.test", f"Extra {n}", "sales_manager", personas.north)
        record_event(
            kind="member.added",
            workspace=personas.admin.workspace,
            actor=personas.admin.user,
            target=member,
            changes={"role": [None, member.role_id]},
        )


@pytest.mark.parametrize(
    ("path", "ceiling"),
    [("/settings/members/", 14), ("/settings/audit/", 14), ("/settings/teams/", 12), ("/settings/roles/", 12)],
)
def test_admin_lists_have_a_constant_number_of_queries(personas, client_as, path, ceiling):
    client = client_as(personas.admin)
    grow(personas, 0, 5)
    client.get(path)  # warm the session and the content-type cache
    few = queries_for(lambda: client.get(path))
    grow(personas, 5, 20)
    many = queries_for(lambda: client.get(path))
    assert few == many, f"{path}: {few} queries with few rows, {many} with more"
    assert many <= ceiling


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/audit/events", "/api/v1/teams", "/api/v1/jobs"])
def test_api_lists_have_a_constant_number_of_queries(personas, api_as, path):
    api = api_as(personas.admin)
    grow(personas, 0, 5)
    api.get(path)  # warm the content-type cache and the token's last-use stamp
    few = queries_for(lambda: api.get(path))
    grow(personas, 5, 20)
    many = queries_for(lambda: api.get(path))
    assert few == many, f"{path}: {few} queries with few rows, {many} with more"
