"""The client import wizard: upload → mapping → preview → run (a job) → report → undo.

Who may do what:
- every step needs the "import" and "create" permissions of the clients module; the
  "update" policy also needs "change", and an owner other than oneself (a column or a
  default) needs "assign" (rows giving clients to colleagues without it fail one by one);
- imports are seen through the access scope on their author (`owner_field = created_by`):
  a manager sees their own imports, a head of sales the team's, an administrator all;
- duplicates are looked for in the whole workspace, so an import never makes a second
  copy of a colleague's client; a row that matches a client outside the actor's scope is
  skipped without naming the client (see `relata.clients.importing.pipeline`).

States: uploaded → running → done, or failed (the file became unreadable). A running
import whose job stopped (cancelled, crashed) is *interrupted*: starting it again resumes
after the last written chunk. Done, failed and interrupted imports can be undone
(undoing → undone; an interrupted undo is started again the same way).
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.clients.importing.mapping import MULTIPLE_TARGETS, import_targets, suggest_mapping
from relata.clients.importing.parsers import ImportFileError, TableSource, check_size, open_table
from relata.clients.importing.pipeline import (
    PREVIEW_ROWS,
    Importer,
    reason_text,
    run_chunks,
    undo_import,
)
from relata.clients.models import ClientKind, ImportBatch, ImportRowResult, ImportState
from relata.clients.models.imports import DuplicatePolicy, RowAction
from relata.clients.services.prepare import ClientContext, member_id, status_id
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import record_event
from relata.core.errors import invalid
from relata.core.jobs import JobContext, PermanentJobError, job_handler
from relata.core.models import Job, JobState, Membership
from relata.core.services.jobs import job_start

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
SAMPLE_ROWS = 3  # example values shown next to each column on the mapping page


def import_max_bytes() -> int:
    """The upload limit: setting RELATA_IMPORT_MAX_BYTES (100 MB by default)."""
    return int(getattr(settings, "RELATA_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- Reads ---------------------------------------------------------------------------


def imports_visible_to(actor: Membership) -> QuerySet[ImportBatch]:
    """Imports the actor may open: with the import permission, within the scope on their author."""
    queryset = scope_queryset(actor, ImportBatch.objects.all(), "import")
    return queryset.select_related("created_by", "job", "undo_job").order_by("-created_at", "-id")


def import_get(actor: Membership, batch_id: int) -> ImportBatch:
    """One import: 403 without the import permission, 404 outside the scope."""
    require(actor, "clients", "import")
    return get_visible(actor, imports_visible_to(actor), batch_id)


def import_results(actor: Membership, batch_id: int, action: str | None = None) -> QuerySet[ImportRowResult]:
    """The rows' outcomes of a visible import, in file order (optionally of one action)."""
    batch = import_get(actor, batch_id)
    queryset = ImportRowResult.objects.filter(workspace_id=actor.workspace_id, batch=batch).order_by("row_number")
    return queryset.filter(action=action) if action else queryset


def import_interrupted(batch: ImportBatch) -> bool:
    """Running or undoing, but its job has stopped without finishing (cancelled, crashed)."""
    job = batch.undo_job if batch.state == ImportState.UNDOING else batch.job
    if batch.state not in (ImportState.RUNNING, ImportState.UNDOING):
        return False
    return job is None or (job.is_finished and job.state != JobState.SUCCEEDED)


def import_can_undo(batch: ImportBatch) -> bool:
    return batch.state in (ImportState.DONE, ImportState.FAILED) or import_interrupted(batch)


def target_labels(batch: ImportBatch) -> dict[str, str]:
    """Target key → label, for messages about fields no column fed (e.g. a missing name)."""
    labels = {key: str(target.label) for key, target in import_targets(batch.workspace_id, batch.entity).items()}
    labels.update({"phones": labels.get("phone", ""), "emails": labels.get("email", ""), "addresses": _("Address")})
    labels["companies"] = labels.get("company", "")
    return labels


# --- Files ---------------------------------------------------------------------------


@contextmanager
def local_upload(upload: File[Any]) -> Iterator[Path]:
    """A path to the uploaded bytes: Django's own temporary file for big uploads, else a copy."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name or "").suffix) as handle:
        upload.seek(0)
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)


@contextmanager
def stored_file(batch: ImportBatch) -> Iterator[Path]:
    """A local path to the import's stored file (the parsers read paths; the storage may
    be remote or in memory, then the file is copied to a temporary file first)."""
    storage, name = batch.file.storage, str(batch.file.name)
    try:
        local = storage.path(name)
    except NotImplementedError:
        local = None
    if local is not None and Path(local).is_file():  # InMemoryStorage names a path it never writes
        yield Path(local)
        return
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as handle:
        with storage.open(name, "rb") as stored:
            for chunk in iter(lambda: stored.read(1024 * 1024), b""):
                handle.write(chunk)
        handle.flush()
        yield Path(handle.name)


def _open(batch: ImportBatch, path: Path) -> TableSource:
    return open_table(path, batch.original_name, max_bytes=sys.maxsize)


# --- Upload and settings -------------------------------------------------------------


def _require_importer(actor: Membership, policy: str = DuplicatePolicy.SKIP) -> None:
    require(actor, "clients", "import")
    require(actor, "clients", "create")
    if policy == DuplicatePolicy.UPDATE:
        require(actor, "clients", "change")


@transaction.atomic
def import_upload(actor: Membership, *, kind: str, upload: File[Any] | None) -> ImportBatch:
    """Check the file (size first, then format, encoding and header), store it, and
    record the import with its headers and the suggested mapping. Nothing is imported yet.
    Errors are ValidationErrors on "file" or "kind" with the parser's message."""
    _require_importer(actor)
    if kind not in ClientKind.values:
        raise invalid("kind", _("Choose companies or people."))
    if upload is None or not getattr(upload, "name", ""):
        raise invalid("file", _("Choose a file to upload."))
    name = Path(str(upload.name)).name[:255]
    try:
        check_size(int(upload.size or 0), import_max_bytes())
        with local_upload(upload) as path:
            source = open_table(path, name, max_bytes=import_max_bytes())
            if next(iter(source.rows()), None) is None:
                raise ImportFileError(_("The file has column titles but no rows of data."), "empty")
    except ImportFileError as exc:
        raise invalid("file", exc.message, code=exc.code) from exc
    batch = ImportBatch(
        workspace_id=actor.workspace_id,
        created_by=actor.user,
        entity=kind,
        original_name=name,
        file_format=source.format,
        encoding=(source.encoding or "")[:16],
        delimiter=source.delimiter or "",
        headers=list(source.headers),
        mapping=suggest_mapping(actor.workspace_id, kind, source.headers),
        policy=DuplicatePolicy.SKIP,
        defaults={"tags": [], "source": "", "status": None, "owner": None, "match_names": True},
    )
    upload.seek(0)
    batch.file.save(f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:10]}", upload, save=False)
    batch.save()
    return batch


def clean_mapping(batch: ImportBatch, mapping: dict[str, Any]) -> dict[str, str]:
    """{column index: target} checked against the file and the kind's targets: each
    single-valued target once, a phone kind right after a phone, and a name column."""
    targets = import_targets(batch.workspace_id, batch.entity)
    headers = list(batch.headers)
    cleaned: dict[str, str] = {}
    problems: list[str] = []
    used: dict[str, int] = {}
    for raw_index, raw_key in mapping.items():
        key = str(raw_key or "").strip()
        if not key:
            continue
        try:
            index = int(raw_index)
        except (TypeError, ValueError):
            problems.append(_("“%(index)s” is not a column number.") % {"index": raw_index})
            continue
        if not 0 <= index < len(headers):
            problems.append(_("The file has no column %(n)d.") % {"n": index + 1})
            continue
        if key not in targets:
            problems.append(
                _("Column “%(column)s”: “%(key)s” is not a field of this kind of client.")
                % {"column": headers[index], "key": key}
            )
            continue
        if key in used and key not in MULTIPLE_TARGETS:
            problems.append(
                _("“%(field)s” is chosen for two columns: “%(first)s” and “%(second)s”.")
                % {"field": targets[key].label, "first": headers[used[key]], "second": headers[index]}
            )
            continue
        used.setdefault(key, index)
        cleaned[str(index)] = key
    for index_text, key in cleaned.items():
        if key == "phone_kind" and cleaned.get(str(int(index_text) - 1)) != "phone":
            problems.append(
                _("Column “%(column)s”: a phone kind must come right after a phone column.")
                % {"column": headers[int(index_text)]}
            )
    names = {"name", "legal_name"} if batch.entity == ClientKind.COMPANY else {"name", "last_name", "first_name"}
    if not names & set(cleaned.values()):
        problems.append(_("Choose the column that holds the client's name."))
    if problems:
        raise ValidationError({"mapping": problems})
    return dict(sorted(cleaned.items(), key=lambda item: int(item[0])))


def clean_defaults(actor: Membership, defaults: dict[str, Any]) -> dict[str, Any]:
    """Values for every imported client: status (new clients), owner (new clients),
    source (new clients without one), tags (every written client), name matching."""
    context = ClientContext.load(actor)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {"status": None, "owner": None, "source": "", "tags": [], "match_names": True}
    if str(defaults.get("status") or "").strip():
        try:
            cleaned["status"] = status_id(context, defaults["status"])
        except ValueError as exc:
            errors["status"] = [str(exc)]
    if str(defaults.get("owner") or "").strip():
        try:
            owner = member_id(context, defaults["owner"])
        except ValueError as exc:
            errors["owner"] = [str(exc)]
        else:
            if owner != actor.user_id and not actor.can("clients", "assign"):
                errors["owner"] = [_("You may not give clients to colleagues (that needs the “assign” permission).")]
            cleaned["owner"] = owner
    source = str(defaults.get("source") or "").strip()
    if len(source) > 100:
        errors["source"] = [_("At most %(n)d characters.") % {"n": 100}]
    cleaned["source"] = source
    tags = defaults.get("tags") or []
    names = tags if isinstance(tags, list) else str(tags).replace(";", ",").split(",")
    cleaned["tags"] = list(dict.fromkeys(str(t).strip()[:50] for t in names if str(t).strip()))
    match_names = defaults.get("match_names", True)
    cleaned["match_names"] = match_names not in (False, "", "0", "false", "off", None)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def import_configure(
    actor: Membership,
    batch_id: int,
    *,
    mapping: dict[str, Any] | None = None,
    policy: str | None = None,
    defaults: dict[str, Any] | None = None,
) -> ImportBatch:
    """Set the mapping, the duplicate policy and the defaults of an import not started
    yet (what is None stays). Every problem is reported at once, by field."""
    batch = _locked(actor, batch_id)
    if batch.state != ImportState.UPLOADED:
        raise invalid("state", _("The import has already been started; its settings can no longer change."))
    errors: dict[str, list[str]] = {}
    policy = batch.policy if policy is None else policy
    if policy not in DuplicatePolicy.values:
        errors["policy"] = [_("Choose what to do with clients that already exist.")]
    elif policy == DuplicatePolicy.UPDATE and not actor.can("clients", "change"):
        errors["policy"] = [_("Updating existing clients needs the permission to change clients.")]
    for name, clean in (
        ("mapping", lambda: clean_mapping(batch, mapping) if mapping is not None else batch.mapping),
        ("defaults", lambda: clean_defaults(actor, defaults) if defaults is not None else batch.defaults),
    ):
        try:
            value = clean()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
        else:
            setattr(batch, name, value)
    if errors:
        raise ValidationError(errors)
    batch.policy = policy
    batch.save(update_fields=["mapping", "policy", "defaults", "updated_at"])
    return batch


def _locked(actor: Membership, batch_id: int) -> ImportBatch:
    batch = import_get(actor, batch_id)
    _require_importer(actor, batch.policy)
    return ImportBatch.objects.select_for_update(of=("self",)).select_related("job", "undo_job").get(pk=batch.pk)


# --- Preview -------------------------------------------------------------------------


@dataclass
class PreviewRow:
    number: int
    cells: list[str]
    action: str
    errors: list[dict[str, Any]]
    reason: str
    note: str


@dataclass
class ImportPreview:
    """The first rows as the import would treat them; nothing is written."""

    rows: list[PreviewRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def import_preview(actor: Membership, batch_id: int, *, limit: int = PREVIEW_ROWS) -> ImportPreview:
    """Validate the first `limit` rows and decide their fate against the base and each
    other, exactly as the import will, without writing anything."""
    batch = import_get(actor, batch_id)
    _require_importer(actor, batch.policy)
    clean_mapping(batch, batch.mapping)
    with stored_file(batch) as path:
        try:
            source = _open(batch, path)
        except ImportFileError as exc:
            raise invalid("file", exc.message, code=exc.code) from exc
        rows = []
        for row in source.rows():
            rows.append(row)
            if len(rows) >= max(1, min(limit, 200)):
                break
    plans = Importer(actor, batch).plan(rows)
    labels = target_labels(batch)
    preview = ImportPreview(counts={action: 0 for action in RowAction.values})
    for plan in plans:
        action = plan.action or RowAction.FAILED
        preview.counts[action] += 1
        preview.rows.append(
            PreviewRow(plan.number, plan.cells, action, plan.errors, reason_text(plan.errors, labels), plan.note)
        )
    return preview


def column_samples(actor: Membership, batch_id: int) -> list[list[str]]:
    """The first rows' cells, to show examples next to each column on the mapping page."""
    batch = import_get(actor, batch_id)
    with stored_file(batch) as path:
        try:
            source = _open(batch, path)
        except ImportFileError:
            return []
        samples = []
        for row in source.rows():
            samples.append(row.values)
            if len(samples) >= SAMPLE_ROWS:
                break
    return samples


# --- Running -------------------------------------------------------------------------


@transaction.atomic
def import_start(actor: Membership, batch_id: int) -> Job:
    """Start the import as a job, or resume an interrupted one after its last chunk."""
    batch = _locked(actor, batch_id)
    clean_mapping(batch, batch.mapping)
    if batch.state == ImportState.UPLOADED:
        batch.state = ImportState.RUNNING
    elif not (batch.state == ImportState.RUNNING and import_interrupted(batch)):
        raise invalid("state", _("The import is already running or finished."))
    job = job_start(actor, kind="clients.import", params={"batch": batch.pk}, total=batch.total_rows)
    batch.job = job
    batch.save(update_fields=["state", "job", "updated_at"])
    return job


@transaction.atomic
def import_undo(actor: Membership, batch_id: int) -> Job:
    """Undo the whole import as a job: delete the clients it created and restore the ones
    it updated (see `undo_import` for what is kept)."""
    batch = _locked(actor, batch_id)
    if batch.state == ImportState.UNDOING and import_interrupted(batch):
        pass  # resume the undo
    elif not import_can_undo(batch):
        raise invalid("state", _("Only a finished or stopped import can be undone."))
    batch.state = ImportState.UNDOING
    job = job_start(actor, kind="clients.import_undo", params={"batch": batch.pk}, total=batch.created_count)
    batch.undo_job = job
    batch.save(update_fields=["state", "undo_job", "updated_at"])
    return job


def import_summary(batch: ImportBatch) -> dict[str, Any]:
    return {
        "import": batch.pk,
        "file": batch.original_name,
        "kind": batch.entity,
        "rows": batch.total_rows,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "skipped": batch.skipped_count,
        "failed": batch.failed_count,
    }


def _job_batch(actor: Membership, context: JobContext) -> ImportBatch:
    """The job's import, as the job's actor may see it (a member moved out of scope gets nothing)."""
    batch = imports_visible_to(actor).filter(pk=int(context.params.get("batch") or 0)).first()
    if batch is None:
        raise PermanentJobError(_("The import no longer exists or you no longer have access to it."))
    return batch


def _fail_batch(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk, state=ImportState.RUNNING).update(
        state=ImportState.FAILED, finished_at=timezone.now()
    )
    raise PermanentJobError(message)


@job_handler("clients.import", gettext_lazy("Import of clients"))
def import_job(actor: Membership, context: JobContext) -> dict[str, Any]:
    """Import the rows after the last written chunk (resumable: a new run continues)."""
    batch = _job_batch(actor, context)
    if batch.state != ImportState.RUNNING:
        return import_summary(batch)
    try:
        _require_importer(actor, batch.policy)
    except PermissionDenied:
        _fail_batch(batch, _("You no longer have the permission to import clients."))
    try:
        with stored_file(batch) as path:
            source = _open(batch, path)
            if source.headers != batch.headers:
                _fail_batch(batch, _("The stored file does not match the uploaded one."))
            if not batch.total_rows:
                batch.total_rows = source.count()
                ImportBatch.objects.filter(pk=batch.pk).update(total_rows=batch.total_rows)
            total = batch.total_rows
            context.progress(batch.rows_done, total, force=True)
            complete = run_chunks(
                Importer(actor, batch),
                source.rows(start=batch.rows_done),
                start=batch.rows_done,
                progress=lambda done: context.progress(done, total),
            )
    except (ImportFileError, FileNotFoundError) as exc:
        message = exc.message if isinstance(exc, ImportFileError) else _("The uploaded file is no longer available.")
        _fail_batch(batch, message)
    finished = complete and ImportBatch.objects.filter(pk=batch.pk, state=ImportState.RUNNING).update(
        state=ImportState.DONE, finished_at=timezone.now()
    )
    batch.refresh_from_db()
    if finished:
        record_event(
            kind="import.finished",
            workspace=actor.workspace,
            actor=actor.user,
            target=batch,
            data=import_summary(batch),
        )
    return import_summary(batch)


@job_handler("clients.import_undo", gettext_lazy("Undo of an import"))
def import_undo_job(actor: Membership, context: JobContext) -> dict[str, Any]:
    """Undo the import (resumable: deleted and restored clients are not touched again)."""
    batch = _job_batch(actor, context)
    if batch.state != ImportState.UNDOING:
        return {"import": batch.pk}
    outcome = undo_import(actor, batch, lambda done, total: context.progress(done, total))
    finished = ImportBatch.objects.filter(pk=batch.pk, state=ImportState.UNDOING).update(
        state=ImportState.UNDONE, finished_at=timezone.now()
    )
    result = {"import": batch.pk, "removed": outcome.removed, "restored": outcome.restored, "kept": outcome.kept}
    if finished:
        record_event(
            kind="import.undone",
            workspace=actor.workspace,
            actor=actor.user,
            target=batch,
            data={**result, "file": batch.original_name, "kind": batch.entity},
        )
    return result


# --- Report --------------------------------------------------------------------------


def import_report_rows(
    actor: Membership, batch_id: int, *, actions: tuple[str, ...] = (RowAction.FAILED,)
) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers and rows of the downloadable file of refused rows: the row's own cells
    (so it can be fixed and imported again), its row number and the reason."""
    batch = import_get(actor, batch_id)
    labels = target_labels(batch)
    width = len(batch.headers)
    results = (
        ImportRowResult.objects.filter(workspace_id=actor.workspace_id, batch=batch, action__in=actions)
        .order_by("row_number")
        .values_list("row_number", "values", "errors")
    )

    def rows() -> Iterator[list[Any]]:
        for number, values, errors in results.iterator(chunk_size=2000):
            cells = [*list(values or [])[:width], *[""] * max(width - len(values or []), 0)]
            yield [*cells, number, reason_text(errors or [], labels)]

    return [*[str(h) for h in batch.headers], _("Row"), _("Reason")], rows()
