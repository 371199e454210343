"""Browser tests: Playwright driving Debian's chromium against the live test server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test thread; the tests themselves
    only prepare and check data, so Django's async-safety guard is relaxed while browser
    tests run (set before the test database is created, restored after)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # An English browser, so that switching to Russian is visible.
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def demo(transactional_db: Any) -> Any:
    from relata.core.demo import create_demo_workspace

    return create_demo_workspace()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _pages_quiet_before_the_database_is_flushed(page: Any, transactional_db: Any) -> Iterator[None]:
    """Open pages poll the server (the bell every few seconds). Torn down before the
    test database is flushed (set up after it), this leaves every page blank and lets the
    live server finish what it was answering, so no request holds SQLite's tables while
    they are emptied."""
    yield
    for open_page in page.context.pages:
        open_page.goto("about:blank")
    page.wait_for_timeout(300)
