import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    # The workspaces of the personas are English; the default language is Russian.
    with translation.override("en"):
        yield
