"""Records the activities tests build through the services."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from relata.activities.models import Outcome, TaskType
from relata.clients.models import Client
from relata.clients.services.clients import client_create
from relata.core.models import Membership

# The smallest valid PNG (1×1 pixel) and PDF headers, for uploads that pass the content check.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def company(owner: Membership, name: str = "ООО «Кирпич»", **values: Any) -> Client:
    return client_create(owner, kind="company", values={"name": name, **values})


def person(owner: Membership, last_name: str, company_id: int | None = None) -> Client:
    values: dict[str, Any] = {"last_name": last_name, "first_name": "Иван"}
    if company_id:
        values["companies"] = [{"company": company_id, "job_title": "Закупщик"}]
    return client_create(owner, kind="person", values=values)


def task_type(member: Membership, key: str = "call_back") -> TaskType:
    return TaskType.objects.get(workspace_id=member.workspace_id, key=key)


def outcome(member: Membership, key: str = "interested") -> Outcome:
    return Outcome.objects.get(workspace_id=member.workspace_id, key=key)


def soon(**delta: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(**(delta or {"hours": 2}))


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def docx_bytes() -> bytes:
    """A real (tiny) Word document: a ZIP container, as Office writes it."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()
