"""Log-in throttling: repeated failures for one account or from one client address lock
that account or address for a while.

Counters live in the database so that every web process sees the same numbers; the
row of each counter is locked while it is updated (on SQLite, writers are serialised by
the IMMEDIATE transaction mode instead).
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from relata.core.models import LoginThrottle, normalize_email


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the entry of X-Forwarded-For written by the
    outermost trusted proxy when RELATA_TRUSTED_PROXIES proxies stand in front."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.RELATA_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            remote = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return "0.0.0.0"  # noqa: S104  (an unparsable address is counted under one key)


def _lock_period() -> dt.timedelta:
    return dt.timedelta(minutes=settings.RELATA_LOGIN_LOCK_MINUTES)


def _limits(email: str, ip: str) -> list[tuple[str, str, int]]:
    return [
        (LoginThrottle.Kind.ACCOUNT, normalize_email(email)[:254], settings.RELATA_LOGIN_ACCOUNT_FAILURES),
        (LoginThrottle.Kind.ADDRESS, ip, settings.RELATA_LOGIN_ADDRESS_FAILURES),
    ]


def locked_until(email: str, ip: str) -> dt.datetime | None:
    """When the account or the address is locked, the end of the lock; else None."""
    now = timezone.now()
    keys = [(kind, key) for kind, key, _limit in _limits(email, ip) if key]
    ends = [
        row.locked_until
        for row in LoginThrottle.objects.filter(locked_until__gt=now).filter(
            kind__in=[k for k, _ in keys], key__in=[key for _, key in keys]
        )
        if (row.kind, row.key) in keys and row.locked_until is not None
    ]
    return max(ends) if ends else None


@transaction.atomic
def register_failure(email: str, ip: str) -> dt.datetime | None:
    """Count one failed attempt; returns the end of the lock it caused, if any."""
    now = timezone.now()
    period = _lock_period()
    newly_locked: dt.datetime | None = None
    for kind, key, limit in _limits(email, ip):
        if not key or limit <= 0:
            continue
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(
            kind=kind, key=key, defaults={"window_started_at": now}
        )
        if row.locked_until and row.locked_until > now:
            continue
        if row.window_started_at < now - period or (row.locked_until and row.locked_until <= now):
            row.failures = 0
            row.window_started_at = now
            row.locked_until = None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + period
            newly_locked = max(newly_locked or row.locked_until, row.locked_until)
        row.save()
    return newly_locked


def register_success(email: str) -> None:
    """A successful log-in clears the account's counter (not the address's: one good
    account must not let an address go on guessing others)."""
    LoginThrottle.objects.filter(kind=LoginThrottle.Kind.ACCOUNT, key=normalize_email(email)).delete()


def purge_expired(older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete counters that ended long ago (run periodically)."""
    cutoff = timezone.now() - older_than
    deleted, _ = (
        LoginThrottle.objects.filter(window_started_at__lt=cutoff).exclude(locked_until__gt=timezone.now()).delete()
    )
    return deleted
