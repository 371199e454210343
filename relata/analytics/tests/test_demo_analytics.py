"""The demo workspace opens with its clients classed: A, B and C and several RFM segments
over the two years of demo orders, and the step runs once."""

from __future__ import annotations

import pytest

from relata.analytics import demo
from relata.analytics.models import ClientClass
from relata.core.demo import create_demo_workspace

pytestmark = pytest.mark.django_db


def test_the_demo_classes_its_buyers_once():
    workspace = create_demo_workspace()
    classes = ClientClass.objects.filter(workspace=workspace)
    assert set(classes.values_list("abc", flat=True)) == {"A", "B", "C"}
    assert classes.values("rfm_segment").distinct().count() >= 3
    computed = set(classes.values_list("pk", "computed_at"))
    demo.analytics_demo(workspace)
    assert set(ClientClass.objects.filter(workspace=workspace).values_list("pk", "computed_at")) == computed
