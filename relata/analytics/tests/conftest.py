"""The personas speak English: messages services raise outside a request (which would
otherwise be in the site's default language, Russian) are read in English here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield
