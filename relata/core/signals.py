"""Framework hooks only: Django's log-in and log-out signals write audit events, so that
every way of logging in (the form, a password-reset link) is recorded."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from relata.core.services.auth import auth_logged_in_event, auth_logged_out_event


@receiver(user_logged_in, dispatch_uid="relata.core.login_event")
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    auth_logged_in_event(user)


@receiver(user_logged_out, dispatch_uid="relata.core.logout_event")
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        auth_logged_out_event(user)
