"""Records the sales tests build through the services."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from relata.core.models import Membership
from relata.sales.models import Deal, LossReason, Pipeline, Stage
from relata.sales.services.deals import deal_create


def pipeline(member: Membership) -> Pipeline:
    """The workspace's default pipeline (every workspace starts with one)."""
    return Pipeline.objects.filter(workspace_id=member.workspace_id).order_by("position", "id").first()  # type: ignore[return-value]


def stages(member: Membership) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=pipeline(member)).order_by("position", "id"))


def reason(member: Membership, key: str = "price") -> LossReason:
    return LossReason.objects.get(workspace_id=member.workspace_id, key=key)


def deal(member: Membership, title: str = "Кирпич М150, 3 вагона", **values: Any) -> Deal:
    return deal_create(member, values={"title": title, "pipeline": pipeline(member).pk, **values})


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pdftotext reads it, on one line with plain spaces (skips
    locally, fails in CI when pdftotext is missing)."""
    from conftest import missing_service

    program = shutil.which("pdftotext")
    if program is None:
        missing_service("pdftotext (Debian: poppler-utils)")
        raise AssertionError("unreachable")
    result = subprocess.run([program, "-layout", "-", "-"], input=data, capture_output=True, check=True)  # noqa: S603  (a fixed program)
    return " ".join(result.stdout.decode("utf-8").replace("\xa0", " ").split())
