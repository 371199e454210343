"""Framework hooks only: a deleted attachment row (on its own, with its activity, or with
a deleted client) takes its stored file with it once the deletion has committed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from relata.activities.models import Attachment


@receiver(post_delete, sender=Attachment, dispatch_uid="relata.activities.attachment_file")
def _delete_file(sender: Any, instance: Attachment, **kwargs: Any) -> None:
    storage, name = instance.file.storage, instance.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
