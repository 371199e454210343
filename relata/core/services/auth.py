"""Log-in, log-out and password events, and the checks a log-in must pass."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from relata.core.audit import record_event
from relata.core.auth import throttling
from relata.core.models import Membership, User, Workspace, normalize_email
from relata.core.selectors.members import active_memberships_of


class LoginRefused(Exception):
    """A log-in that must not proceed, with the message to show."""

    def __init__(self, message: str, code: str) -> None:
        self.code = code
        super().__init__(message)


def _lock_message(until: dt.datetime) -> str:
    local = timezone.localtime(until)
    return _(
        "Too many failed log-in attempts. Log-in is locked until %(time)s; try again then or reset your password."
    ) % {"time": formats.time_format(local, "H:i")}


def _user_workspaces(user: User | None) -> list[Membership]:
    return list(active_memberships_of(user.pk)) if user is not None else []


def _record_per_workspace(kind: str, user: User | None, label: str, data: dict[str, object]) -> None:
    """Security events go to each workspace the user belongs to (its administrators read
    them there); for an unknown address they are recorded without a workspace."""
    memberships = Membership.objects.filter(user=user).select_related("workspace") if user else []
    workspaces: list[Workspace | None] = [m.workspace for m in memberships]
    for workspace in workspaces or [None]:
        record_event(kind=kind, workspace=workspace, actor=user, actor_label=label, data=data)


def check_credentials(email: str, password: str) -> User | None:
    """The user whose e-mail and password these are, active or not."""
    user = User.objects.filter(email=normalize_email(email)).first()
    if user is None:
        # Hash the password anyway, so that response time does not tell whether the
        # address has an account.
        User().set_password(password)
        return None
    return user if user.check_password(password) else None


def auth_attempt_login(*, email: str, password: str, ip: str) -> User:
    """The user to log in, or LoginRefused with the reason to show.

    Order matters: a locked account or address is refused before the password is
    checked, so a lock cannot be used to test passwords. Not one transaction on
    purpose: the failure counters and events must stay written when it refuses.
    """
    email = normalize_email(email)
    until = throttling.locked_until(email, ip)
    if until is not None:
        raise LoginRefused(_lock_message(until), "locked")
    user = check_credentials(email, password)
    if user is None:
        known = User.objects.filter(email=email).first()
        locked = throttling.register_failure(email, ip)
        _record_per_workspace("auth.login_failed", known, email, {"reason": "bad_credentials"})
        if locked is not None:
            _record_per_workspace("auth.login_locked", known, email, {"until": locked.isoformat()})
            raise LoginRefused(_lock_message(locked), "locked")
        raise LoginRefused(_("The e-mail or the password is wrong."), "invalid_login")
    if not user.is_active or not _user_workspaces(user):
        _record_per_workspace("auth.login_failed", user, email, {"reason": "no_access"})
        raise LoginRefused(
            _("Your access to Relata has been turned off. Ask your administrator to restore it."), "inactive"
        )
    throttling.register_success(email)
    return user


def auth_logged_in_event(user: User) -> None:
    _record_per_workspace("auth.login", user, user.email, {})


def auth_logged_out_event(user: User) -> None:
    _record_per_workspace("auth.logout", user, user.email, {})


def auth_password_changed_event(user: User, *, by_reset: bool) -> None:
    if by_reset:
        throttling.register_success(user.email)
    _record_per_workspace("auth.password_reset" if by_reset else "auth.password_changed", user, user.email, {})


def auth_password_reset_requested_event(email: str) -> None:
    user = User.objects.filter(email=normalize_email(email)).first()
    if user is not None:
        _record_per_workspace("auth.password_reset_requested", user, user.email, {})
