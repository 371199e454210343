"""Files attached to activities: checked for size and type before anything is written.

The type is decided from the file's content (library `filetype`) and its extension
together: a file must be of an allowed kind by both, so an HTML page renamed .pdf or a
program renamed .docx is refused. Pages, SVG pictures and scripts are never accepted,
and every file is served as a download (see the views), never shown inline.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from relata.core.errors import invalid

# Extension → MIME type of what we accept. Content-checked kinds must match their
# signature; text kinds must not look like markup.
BINARY_KINDS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "heic": "image/heic",
    "mp3": "audio/mpeg",
    "wav": "audio/x-wav",
    "ogg": "audio/ogg",
    "m4a": "audio/mp4",
    "zip": "application/zip",
    "7z": "application/x-7z-compressed",
    "rar": "application/x-rar-compressed",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "rtf": "application/rtf",
}
# Office files are ZIP (docx, xlsx…) or OLE (doc, xls…) containers: `filetype` may name
# the container rather than the document, which is as good a proof.
CONTAINERS = {
    "docx": {"application/zip"},
    "xlsx": {"application/zip"},
    "pptx": {"application/zip"},
    "odt": {"application/zip"},
    "ods": {"application/zip"},
    "doc": {"application/x-ole-storage", "application/msword"},
    "xls": {"application/x-ole-storage", "application/vnd.ms-excel"},
    "ppt": {"application/x-ole-storage", "application/vnd.ms-powerpoint"},
}
TEXT_KINDS = {"txt": "text/plain", "csv": "text/csv", "eml": "message/rfc822", "vcf": "text/vcard"}
# Signatures `filetype` does not know.
SIGNATURES = {"rtf": b"{\\rtf", "doc": b"\xd0\xcf\x11\xe0", "xls": b"\xd0\xcf\x11\xe0", "ppt": b"\xd0\xcf\x11\xe0"}
MARKUP = (b"<!doctype", b"<html", b"<svg", b"<script", b"<?xml", b"<head", b"<body", b"<iframe")


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile[Any]
    name: str
    size: int
    content_type: str


def max_bytes() -> int:
    return int(settings.RELATA_ATTACHMENT_MAX_MB) * 1024 * 1024


def safe_name(name: str) -> str:
    """The user's file name without folders or control characters (shown and offered
    back on download, never used as a path)."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "file"


def check_upload(upload: UploadedFile[Any], *, field: str = "files") -> CheckedFile:
    """Refuse a file that is empty, too large or of a kind we do not keep."""
    name = safe_name(upload.name or "")
    size = upload.size or 0
    if size == 0:
        raise invalid(field, _("“%(name)s” is empty.") % {"name": name})
    if size > max_bytes():
        raise invalid(
            field,
            _("“%(name)s” is larger than the limit of %(limit)d MB.")
            % {"name": name, "limit": settings.RELATA_ATTACHMENT_MAX_MB},
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if extension in TEXT_KINDS:
        if head.lstrip().lower().startswith(MARKUP) or b"\x00" in head:
            raise invalid(field, _("“%(name)s” is not a plain text file.") % {"name": name})
        return CheckedFile(upload, name, size, TEXT_KINDS[extension])
    if extension not in BINARY_KINDS:
        raise invalid(
            field,
            _("Files of type “%(ext)s” are not accepted. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(sorted({*BINARY_KINDS, *TEXT_KINDS}))},
        )
    expected = BINARY_KINDS[extension]
    detected = filetype.guess_mime(head)
    signature = SIGNATURES.get(extension)
    matches = detected == expected or detected in CONTAINERS.get(extension, set())
    if not matches and signature is not None:
        matches = head.startswith(signature)
    if not matches:
        raise invalid(field, _("“%(name)s” is not really a %(ext)s file.") % {"name": name, "ext": extension.upper()})
    return CheckedFile(upload, name, size, expected)
