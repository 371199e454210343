"""Database helpers that behave the same on both databases."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from relata.core.db import exact_lookups

pytestmark = pytest.mark.django_db


def _bitmap_scans() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_bitmapscan')")
        return str(cursor.fetchone()[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_exact_lookups_turn_bitmap_scans_off_only_inside() -> None:
    assert _bitmap_scans() == "on"
    with exact_lookups():
        assert _bitmap_scans() == "off"
    assert _bitmap_scans() == "on"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_exact_lookups_restore_the_setting_when_the_block_fails() -> None:
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), exact_lookups():
            assert _bitmap_scans() == "off"
            _ = 1 / 0
        assert _bitmap_scans() == "on"  # the surrounding transaction goes on as before


def test_any_of_finds_what_in_finds(personas) -> None:
    from relata.core.models import Membership

    members = Membership.objects.filter(workspace=personas.admin.workspace)
    ids = list(members.values_list("pk", flat=True))
    wanted = {ids[0], ids[-1], 10**9}  # a set, as callers collect keys, and an id nobody has
    assert sorted(members.filter(pk__any_of=wanted).values_list("pk", flat=True)) == sorted({ids[0], ids[-1]})
    names = {m.user.email for m in members.select_related("user")[:2]} | {"nobody@example.com"}
    found = members.filter(user__email__any_of=names).values_list("pk", flat=True)
    assert sorted(found) == sorted(members.filter(user__email__in=names).values_list("pk", flat=True))
    assert list(members.filter(pk__any_of=[])) == []
    assert list(members.filter(pk__any_of=[None])) == []
    if connection.vendor == "postgresql":  # one array parameter, not one parameter per value
        sql, params = members.filter(pk__any_of=wanted).query.sql_with_params()
        assert "= ANY(%s)" in sql and sorted(params[-1]) == sorted(wanted)
