"""The permission matrix: every page of the URL configuration and every operation of the
OpenAPI schema, as every persona (engine: relata/core/tests/matrix.py; entries: each
app's tests/matrix*.py).

- anonymous: pages redirect to the log-in page, the API answers 401;
- a member whose role lacks the permission: 403 (404 when the record is not visible);
- the allowed member: success;
- the member of another workspace: 404 for records of this workspace, and lists that
  never show them;
- every denied write is checked to have changed nothing in the database.

A page or operation without an entry fails `test_every_route_has_a_matrix_entry`:
adding an endpoint means deciding who may use it.

The world is built once per module (and xdist worker) inside a transaction that is
rolled back at the end; each case runs in its own savepoint (pytest-django's `django_db`
nested in it), so a case sees exactly the world and nothing an earlier case wrote.
Building the world for every case cost about a second each over thousands of cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from relata.core.tests.matrix import (
    PERSONAS,
    Rule,
    World,
    collect,
    discovered_operations,
    discovered_pages,
    make_world,
    run_case,
)

PAGES = collect("PAGES")
PAGE_POSTS = collect("PAGE_POSTS")
API = collect("API")


def test_every_route_has_a_matrix_entry():
    pages = discovered_pages()
    assert pages - set(PAGES) == set(), "pages without a permission-matrix entry"
    assert set(PAGES) - pages == set(), "matrix entries for pages that do not exist"
    assert set(PAGE_POSTS) <= set(PAGES)
    operations = discovered_operations()
    assert operations - set(API) == set(), "API operations without a permission-matrix entry"
    assert set(API) - operations == set(), "matrix entries for operations that do not exist"


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield make_world()
        finally:
            transaction.set_rollback(True)


def page_url(name: str, rule: Rule) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs=rule.kwargs(w))


def api_url(path: str, rule: Rule) -> Callable[[World], str]:
    return lambda w: path.format(**rule.kwargs(w))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page(world: World, name: str, persona: str) -> None:
    rule = PAGES[name]
    method = rule.method or ("POST" if rule.write else "GET")
    run_case(world, rule, persona, is_api=False, method=method, url_for=page_url(name, rule))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGE_POSTS))
def test_page_post(world: World, name: str, persona: str) -> None:
    rule = PAGE_POSTS[name]
    run_case(world, rule, persona, is_api=False, method="POST", url_for=page_url(name, rule))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path"), sorted(API))
def test_api_operation(world: World, method: str, path: str, persona: str) -> None:
    rule = API[(method, path)]
    run_case(world, rule, persona, is_api=True, method=method, url_for=api_url(path, rule))
