"""What a request knows that work it starts must remember: the language of the page.

Set by the middleware for the duration of a request (and by the API's token auth once it
knows the member); empty outside requests (workers, scripts, tests calling services), so
that work started there falls back to its author's or the workspace's language instead of
whatever language a thread last happened to activate.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

_page_language: contextvars.ContextVar[str] = contextvars.ContextVar("relata_page_language", default="")


def page_language() -> str:
    """The language of the page (or API call) being served; "" outside requests."""
    return _page_language.get()


def set_page_language(language: str) -> None:
    """Within a request whose `serving_page` is open: the language changed (API token auth)."""
    _page_language.set(language or "")


@contextmanager
def serving_page(language: str) -> Iterator[None]:
    token = _page_language.set(language or "")
    try:
        yield
    finally:
        _page_language.reset(token)
