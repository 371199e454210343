"""In-app notifications and the e-mail outbox: how the platform tells a member something.

Both are written inside the caller's transaction with a delivery key, so that whatever
decided to notify (a reminder, later an incoming call) and the notification itself
commit or roll back together, and a second attempt with the same key does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from relata.core.models import Membership, Notification, OutgoingEmail

log = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5
# A letter claimed this long ago and neither sent nor failed: its worker died mid-send.
EMAIL_CLAIM_TIMEOUT = dt.timedelta(minutes=10)


def notify(
    *, workspace_id: int, user_id: int, kind: str, key: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """A notification for one member, once per `key`; None if it was already there."""
    try:
        with transaction.atomic():  # a savepoint: a duplicate key leaves the caller's transaction usable
            return Notification.objects.create(
                workspace_id=workspace_id,
                user_id=user_id,
                kind=kind,
                key=key[:120],
                title=title[:200],
                body=body[:500],
                url=url[:300],
            )
    except IntegrityError:
        return None


def email_enqueue(
    *,
    workspace_id: int,
    key: str,
    to: str,
    subject: str,
    body: str,
    attachment: str = "",
    attachment_name: str = "",
) -> OutgoingEmail | None:
    """Put a letter in the outbox (once per key); it is sent after the caller commits.
    `attachment` is the name of a file in the attachments storage."""
    from relata.core.tasks import outgoing_email_send

    try:
        with transaction.atomic():
            letter = OutgoingEmail.objects.create(
                workspace_id=workspace_id,
                key=key[:120],
                to=to,
                subject=subject[:300],
                body=body,
                attachment=attachment,
                attachment_name=attachment_name[:255],
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: outgoing_email_send.delay(letter.pk))
    return letter


def email_send(letter_id: int) -> str:
    """Send one letter of the outbox if this worker can claim it. The claim is a
    conditional update, so two workers never both send it; a letter whose worker died
    after claiming is taken again after EMAIL_CLAIM_TIMEOUT (`emails_send_pending`)."""
    now = timezone.now()
    claimable = Q(state=OutgoingEmail.State.PENDING) | Q(
        state=OutgoingEmail.State.SENDING, claimed_at__lt=now - EMAIL_CLAIM_TIMEOUT
    )
    claimed = (
        OutgoingEmail.objects.filter(claimable, pk=letter_id, attempts__lt=MAX_EMAIL_ATTEMPTS).update(
            state=OutgoingEmail.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        > 0
    )
    if not claimed:
        return "skipped"
    letter = OutgoingEmail.objects.get(pk=letter_id)
    try:
        _deliver(letter)
    except Exception as exc:  # the mail server's fault: try again later, a few times
        log.warning("letter %s to %s not sent: %s", letter.pk, letter.to, exc)
        state = OutgoingEmail.State.FAILED if letter.attempts >= MAX_EMAIL_ATTEMPTS else OutgoingEmail.State.PENDING
        OutgoingEmail.objects.filter(pk=letter.pk).update(state=state, error=str(exc)[:300])
        return "failed"
    OutgoingEmail.objects.filter(pk=letter.pk).update(state=OutgoingEmail.State.SENT, sent_at=timezone.now(), error="")
    return "sent"


def _deliver(letter: OutgoingEmail) -> None:
    message = EmailMessage(letter.subject, letter.body, settings.DEFAULT_FROM_EMAIL, [letter.to])
    if letter.attachment:
        from django.core.files.storage import storages

        with storages["attachments"].open(letter.attachment, "rb") as file:
            message.attach(letter.attachment_name or "document.pdf", file.read(), "application/pdf")
    message.send()


def emails_pending_ids(limit: int = 200) -> list[int]:
    """Letters to (re)try: waiting ones and those whose worker died mid-send."""
    stale = timezone.now() - EMAIL_CLAIM_TIMEOUT
    return list(
        OutgoingEmail.objects.filter(
            Q(state=OutgoingEmail.State.PENDING) | Q(state=OutgoingEmail.State.SENDING, claimed_at__lt=stale),
            attempts__lt=MAX_EMAIL_ATTEMPTS,
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def notifications_mark_read(actor: Membership, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all of them when `ids` is None)."""
    queryset = Notification.objects.filter(workspace_id=actor.workspace_id, user_id=actor.user_id, read_at=None)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())
