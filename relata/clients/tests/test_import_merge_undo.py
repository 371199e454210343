"""An import's undo never deletes a client that has absorbed another one since."""

from __future__ import annotations

from relata.clients.models import Client, ClientMergeLink, ImportRowResult
from relata.clients.services.clients import client_create
from relata.clients.services.imports import import_undo
from relata.clients.services.merge import client_merge
from relata.clients.tests.import_helpers import csv_upload, run_import
from relata.core import jobs


def test_undo_keeps_a_merge_survivor_and_says_why(personas):
    admin = personas.admin
    batch = run_import(admin, csv_upload("Название;Город\nООО Импортная;Тверь\n"))
    imported = Client.objects.get(name="ООО Импортная")
    other = client_create(admin, kind="company", values={"name": "Импортная (дубль)", "phones": ["+7 916 555 00 11"]})
    client_merge(admin, survivor_id=imported.pk, absorbed_id=other.pk, choices={}, version=imported.version)
    assert ClientMergeLink.objects.filter(survivor=imported).exists()
    jobs.execute(import_undo(admin, batch.pk).pk)
    imported.refresh_from_db()  # still there, with the absorbed record's phone
    assert imported.phones.filter(number="+79165550011").exists()
    note = ImportRowResult.objects.get(batch=batch).errors[0]["message"]
    assert "merged into this one" in note
