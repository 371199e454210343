"""Project-level guarantees: deployable settings, migrations in step with the models,
a complete Russian catalogue, and reads of business data only through selectors."""

from __future__ import annotations

import ast
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "relata" / "locale" / "ru" / "LC_MESSAGES"


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k3$Jq9!vR2#mW8@tZ5^pL1&nX7*bC4(dF6)hG0_sY-eU+aO=iT",
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_proper_secret_key(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "short",
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


@pytest.mark.django_db
def test_migrations_are_in_step_with_the_models():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()} ({exit_})")


def test_russian_catalogue_is_complete_and_compiled():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    compiled = polib.mofile(str(LOCALE / "django.mo"))
    assert {(e.msgctxt, e.msgid): e.msgstr for e in compiled if e.msgid} == {
        (e.msgctxt, e.msgid): e.msgstr for e in catalogue.translated_entries() if not e.msgid_plural
    } | {(e.msgctxt, e.msgid): e.msgstr for e in compiled if e.msgid_plural}, "django.mo is stale: make messages"
    for entry in catalogue.translated_entries():
        translations = [entry.msgstr, *entry.msgstr_plural.values()]
        for placeholder in ("%(", "%s", "%d"):
            found = max(t.count(placeholder) for t in translations)
            assert entry.msgid.count(placeholder) <= found, f"placeholder lost in translation of {entry.msgid!r}"


def test_every_string_of_the_interface_is_in_the_catalogue(tmp_path):
    """makemessages over the source finds nothing the catalogue lacks."""
    if not shutil.which("xgettext"):
        from conftest import missing_service

        missing_service("GNU gettext (xgettext) is not installed")
    work = tmp_path / "relata"
    shutil.copytree(ROOT / "relata", work, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    shutil.copytree(ROOT / "config", tmp_path / "config", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "PYTHONPATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemessages", "--locale", "ru", "--no-obsolete"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh = polib.pofile(str(work / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in fresh if not e.translated() or "fuzzy" in e.flags]
    assert missing == [], f"strings not translated (run make messages and translate): {missing}"


BUSINESS_READ_MODULES = ("views", "api")


def _view_and_api_files() -> list[Path]:
    files = []
    for path in (ROOT / "relata").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        if path.stem in BUSINESS_READ_MODULES or path.parent.name in BUSINESS_READ_MODULES:
            files.append(path)
    return files


def test_views_and_api_read_through_selectors_not_managers():
    """design.md § Access: lists come from selectors that apply the actor's scope; a
    view or endpoint calling `Model.objects` directly is where CRMs leak."""
    offenders = []
    for path in _view_and_api_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "use a *_visible_to(actor) selector instead: " + ", ".join(offenders)
