"""Client import: a 100,000-row CSV of companies through the real import path.

Generates a realistic file (Russian company names, INNs with valid check digits, phones
written in the ways people write them, e-mails, cities and regions, tags), with some rows
that duplicate clients already in the base and some that repeat earlier rows of the file,
and imports it with duplicate checking on (policy "skip") through the services and the
job handler, synchronously. Then loads the same file with PostgreSQL COPY into a scratch
table shaped like the rows, in the same run, and prints both with their ratio.
"""

from __future__ import annotations

import cProfile
import csv
import io
import os
import pstats
import random
import time
from pathlib import Path
from unittest import mock

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from stdnum.ru import inn as stdnum_inn

from bench.common import scaled
from relata.clients.models import (
    Client,
    ClientAddress,
    ClientEmail,
    ClientPhone,
    ImportBatch,
    ImportRowResult,
    Tag,
)
from relata.clients.normalize import InvalidValue, normalize_phone
from relata.clients.services.clients import client_create
from relata.clients.services.imports import import_configure, import_start, import_upload
from relata.clients.services.prepare import ClientContext
from relata.core import jobs
from relata.core.models import Job, Membership, Workspace
from relata.core.services.workspaces import workspace_create

ROWS = 100_000
BASE = 5_000  # companies already in the base
DUPLICATES_OF_BASE = 0.03  # share of rows that describe a company already in the base
REPEATS = 0.01  # share of rows that repeat an earlier row of the file
SLUG = "bench-import"
HEADERS = ["Название", "ИНН", "Телефон", "E-mail", "Город", "Регион", "Адрес", "Теги"]

PREFIXES = ["ООО", "АО", "ЗАО", "ПАО", "ИП", "ООО", "ООО"]
WORDS = [
    "Альфа", "Бета", "Вектор", "Гранит", "Дельта", "Енисей", "Заря", "Исток", "Кедр", "Лидер", "Магистраль",
    "Нева", "Орион", "Полюс", "Ресурс", "Сигма", "Техно", "Урал", "Феникс", "Химпром", "Центр", "Эталон",
    "Юпитер", "Янтарь", "Строй", "Торг", "Снаб", "Мет", "Лес", "Агро", "Транс", "Инвест", "Сервис", "Проект",
]  # fmt: skip
CITIES = [
    ("Москва", "Москва"), ("Санкт-Петербург", "Санкт-Петербург"), ("Казань", "Республика Татарстан"),
    ("Екатеринбург", "Свердловская область"), ("Новосибирск", "Новосибирская область"),
    ("Нижний Новгород", "Нижегородская область"), ("Самара", "Самарская область"), ("Пермь", "Пермский край"),
    ("Краснодар", "Краснодарский край"), ("Воронеж", "Воронежская область"),
]  # fmt: skip
STREETS = ["ул. Ленина", "пр. Мира", "ул. Гагарина", "ул. Советская", "Промышленная ул.", "ул. Заводская"]
TAGS = ["опт", "розница", "выставка-2025", "партнёр", "", "", ""]
MOBILE_CODES = [903, 905, 906, 909, 910, 915, 916, 917, 919, 925, 926, 929, 960, 961, 962, 963, 965, 977, 985, 999]
BAD_ROWS = 0.005  # share of rows with an INN whose check digits are wrong
TRANSLIT = str.maketrans("абвгдеёжзийклмнопрстуфхцчшщыэюя", "abvgdeejziiklmnoprstufhccssyeua", "ъь")


def company_inn(rng: random.Random) -> str:
    body = f"{rng.randrange(10, 92):02d}{rng.randrange(10**7):07d}"
    return body + stdnum_inn.calc_company_check_digit(body)


def phone_text(rng: random.Random) -> tuple[str, str]:
    """(as typed, E.164) of a valid Russian mobile number, in the formats people write."""
    while True:
        digits = f"{rng.choice(MOBILE_CODES)}{rng.randrange(10**7):07d}"
        try:
            normalize_phone("+7" + digits)
        except InvalidValue:
            continue
        break
    style = rng.randrange(4)
    typed = [
        f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
        f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
        f"+7{digits}",
        f"8-{digits[:3]}-{digits[3:]}",
    ][style]
    return typed, f"+7{digits}"


def company_row(rng: random.Random, n: int) -> list[str]:
    words = rng.sample(WORDS, 2)
    name = f"{rng.choice(PREFIXES)} «{words[0]}{words[1].lower()} {n}»"
    city, region = rng.choice(CITIES)
    typed, _e164 = phone_text(rng)
    email = f"{words[0].lower().translate(TRANSLIT)}{n}@{words[1].lower().translate(TRANSLIT)}.ru"
    street = f"{rng.choice(STREETS)}, д. {rng.randrange(1, 200)}"
    return [name, company_inn(rng), typed, email, city, region, street, rng.choice(TAGS)]


def clear(workspace: Workspace) -> None:
    """Remove what an earlier run left (raw deletes: the ORM's cascade is slow at this size)."""
    ws = workspace.pk
    for batch in ImportBatch.objects.filter(workspace_id=ws):
        batch.file.delete(save=False)
    for model in (ImportRowResult, ClientPhone, ClientEmail, ClientAddress):
        model.objects.filter(workspace_id=ws)._raw_delete(using="default")
    Client.tags.through.objects.filter(client__workspace_id=ws)._raw_delete(using="default")
    Client.objects.filter(workspace_id=ws)._raw_delete(using="default")
    ImportBatch.objects.filter(workspace_id=ws)._raw_delete(using="default")
    Tag.objects.filter(workspace_id=ws)._raw_delete(using="default")
    Job.objects.filter(workspace_id=ws)._raw_delete(using="default")


def build(rng: random.Random) -> tuple[Membership, list[list[str]]]:
    """The workspace with BASE companies, and the rows of the file (some duplicating them)."""
    workspace = Workspace.objects.filter(slug=SLUG).first()
    if workspace is None:
        admin = workspace_create(name="Bench import", slug=SLUG, admin_email="admin@import.bench", admin_name="Bench")
    else:
        clear(workspace)
        admin = Membership.objects.get(workspace=workspace, user__email="admin@import.bench")
    admin = Membership.objects.select_related("workspace", "role", "user", "team").get(pk=admin.pk)
    base_rows = [company_row(rng, -n) for n in range(1, scaled(BASE) + 1)]
    context = ClientContext.load(admin)
    print(f"  creating {len(base_rows)} companies already in the base…", flush=True)
    with transaction.atomic():
        for name, inn, phone, email, city, region, street, _tag in base_rows:
            values = {"name": name, "inn": inn, "phones": phone, "emails": email}
            values["addresses"] = [{"city": city, "region": region, "street": street}]
            client_create(admin, kind="company", values=values, context=context)
    with connection.cursor() as cursor:  # no dead rows of earlier runs, and fresh statistics
        tables = "clients_client, clients_clientphone, clients_clientemail, clients_clientaddress, "
        tables += "clients_client_tags, clients_importrowresult"
        cursor.execute(f"VACUUM ANALYZE {tables}" if connection.vendor == "postgresql" else "ANALYZE")
    total = scaled(ROWS)
    rows: list[list[str]] = []
    for n in range(1, total + 1):
        dice = rng.random()
        if dice < DUPLICATES_OF_BASE:  # a new row sharing the INN, phone or e-mail of a known company
            row = company_row(rng, n)
            shared = rng.choice([1, 2, 3])
            row[shared] = rng.choice(base_rows)[shared]
        elif dice < DUPLICATES_OF_BASE + REPEATS and rows:
            row = list(rng.choice(rows))
        else:
            row = company_row(rng, n)
            if rng.random() < BAD_ROWS:
                row[1] = row[1][:-1] + str((int(row[1][-1]) + 1) % 10)
        rows.append(row)
    return admin, rows


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows(rows)


def backend_cpu_seconds() -> float | None:
    """CPU seconds the PostgreSQL backend of this connection has used, when it runs on
    this machine (read from /proc); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def run_import(admin: Membership, path: Path, *, profile: bool) -> tuple[float, ImportBatch]:
    """Upload, configure and run the import job synchronously; seconds from start to done.
    Also prints where the time went: this process's CPU and the database backend's."""
    with path.open("rb") as handle:
        batch = import_upload(admin, kind="company", upload=File(handle, name=path.name))
    import_configure(admin, batch.pk, policy="skip", defaults={"tags": "импорт"})
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    with mock.patch("relata.core.services.jobs.run_job"):  # run here, not through the broker
        job = import_start(admin, batch.pk)
    if profiler is not None:
        profiler.enable()
    python_before, backend_before = time.process_time(), backend_cpu_seconds()
    state = jobs.execute(job.pk)
    python_cpu, backend_after = time.process_time() - python_before, backend_cpu_seconds()
    if profiler is not None:
        profiler.disable()
    elapsed = time.perf_counter() - started
    backend = "" if backend_after is None or backend_before is None else f"{backend_after - backend_before:.2f} s"
    print(f"  CPU during the import: Python {python_cpu:.2f} s, PostgreSQL backend {backend or 'not measured'}")
    job.refresh_from_db()
    batch.refresh_from_db()
    if state != "succeeded":
        raise RuntimeError(f"the import job ended {state}: {job.error}")
    if profiler is not None:
        stats = pstats.Stats(profiler, stream=io.StringIO())
        stats.sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(35)
        print(stats.stream.getvalue())  # type: ignore[attr-defined]
    return elapsed, batch


def copy_baseline(path: Path) -> float | None:
    """Seconds for PostgreSQL COPY of the file as is into a scratch table of text columns."""
    if connection.vendor != "postgresql":
        return None
    columns = ", ".join(f"c{n} text" for n in range(len(HEADERS)))
    names = ", ".join(f"c{n}" for n in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_copy")
        cursor.execute(f"CREATE TABLE bench_import_copy (id bigserial primary key, {columns})")
        started = time.perf_counter()
        with (
            transaction.atomic(),
            cursor.cursor.copy(
                f"COPY bench_import_copy ({names}) FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)"
            ) as copy,
            path.open("rb") as handle,
        ):
            while data := handle.read(1024 * 1024):
                copy.write(data)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_import_copy")
    return elapsed


def copy_as_clients(admin: Membership, rows: list[list[str]]) -> float | None:
    """Seconds for PostgreSQL COPY of the same rows as client rows (every column of
    clients_client, values prepared beforehand, not timed) into a table shaped like it,
    with all its indexes: the trigram indexes of search included."""
    if connection.vendor != "postgresql":
        return None
    from psycopg.types.json import Jsonb

    fields = [f for f in Client._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}  # "" for text, None where NULL is allowed
    defaults["custom"] = Jsonb({})
    status_id = ClientContext.load(admin).default_status_id
    now = timezone.now()
    prepared = []
    for name, inn, phone, email, city, region, _street, _tag in rows:
        values: dict[str, object] = {
            "workspace_id": admin.workspace_id,
            "kind": "company",
            "name": name,
            "inn": inn,
            "status_id": status_id,
            "owner_id": admin.user_id,
            "primary_phone": phone[:20],
            "primary_email": email,
            "city": city,
            "region": region,
            "match_name": name.lower(),
            "search_text": f"{name} {inn} {city} {phone} {email}".lower(),
            "created_at": now,
            "updated_at": now,
        }
        prepared.append([values.get(f.attname, defaults[f.attname]) for f in fields])
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_clients")
        cursor.execute("CREATE TABLE bench_import_clients (LIKE clients_client INCLUDING ALL)")
        started, backend_before = time.perf_counter(), backend_cpu_seconds()
        with transaction.atomic(), cursor.cursor.copy(f"COPY bench_import_clients ({columns}) FROM STDIN") as copy:
            for row in prepared:
                copy.write_row(row)
        elapsed, backend_after = time.perf_counter() - started, backend_cpu_seconds()
        if backend_before is not None and backend_after is not None:
            print(f"  CPU of the PostgreSQL backend for COPY as client rows: {backend_after - backend_before:.2f} s")
        cursor.execute("DROP TABLE bench_import_clients")
    return elapsed


def run() -> None:
    rng = random.Random(2025)  # noqa: S311
    admin, rows = build(rng)
    path = Path(os.environ.get("BENCH_TMP", "/tmp")) / "relata-bench-import.csv"  # noqa: S108
    write_csv(path, rows)
    print(f"  file: {len(rows)} rows, {path.stat().st_size / 1e6:.1f} MB", flush=True)
    profile = os.environ.get("BENCH_PROFILE") == "1"
    elapsed, batch = run_import(admin, path, profile=profile)
    rate = len(rows) / elapsed
    print(
        f"  import (policy skip, duplicate checking on): {elapsed:8.2f} s  {rate:9.0f} rows/s  "
        f"created {batch.created_count}, skipped {batch.skipped_count}, failed {batch.failed_count}"
    )
    for label, baseline in (
        ("PostgreSQL COPY of the file into a table of text columns", copy_baseline(path)),
        ("PostgreSQL COPY of the rows as client rows (same indexes)", copy_as_clients(admin, rows)),
    ):
        if baseline is None:
            print(f"  {label}: skipped (not PostgreSQL)")
        else:
            print(
                f"  {label}: {baseline:8.2f} s  {len(rows) / baseline:9.0f} rows/s   "
                f"import/COPY ratio {elapsed / baseline:6.1f}"
            )
    batch.file.delete(save=False)  # the stored copy of the upload
    path.unlink(missing_ok=True)
