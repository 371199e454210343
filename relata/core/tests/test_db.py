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
