"""The one way a page saves a form through a service, so that every screen answers the
same: field errors with 400, a stale save with 409 and the other user's values, a
success message and a redirect otherwise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from relata.core.concurrency import StaleVersion
from relata.web.forms import StyledFormMixin


@dataclass
class FormOutcome:
    redirect: HttpResponse | None = None
    conflict: StaleVersion | None = None
    result: Any = None


def save_form(
    request: HttpRequest,
    form: StyledFormMixin,
    save: Callable[[dict[str, Any]], Any],
    *,
    success_url: str | Callable[[Any], str],
    success_message: str | Callable[[Any], str],
) -> FormOutcome:
    """On a valid POST, call `save(cleaned_data)`; attach what the service refuses to the
    form. Returns the redirect to send on success, or the conflict to show."""
    if request.method != "POST" or not form.is_valid():  # type: ignore[attr-defined]
        return FormOutcome()
    try:
        result = save(form.cleaned_data)  # type: ignore[attr-defined]
    except StaleVersion as stale:
        form.add_service_error(stale)
        return FormOutcome(conflict=stale)
    except ValidationError as error:
        form.add_service_error(error)
        return FormOutcome()
    message = success_message(result) if callable(success_message) else success_message
    if message:
        messages.success(request, message)
    url = success_url(result) if callable(success_url) else success_url
    return FormOutcome(redirect=HttpResponseRedirect(url), result=result)


def render_form(
    request: HttpRequest, template: str, form: Any, outcome: FormOutcome, context: dict[str, Any] | None = None
) -> HttpResponse:
    """The page with the form: 409 after a conflict, 400 with errors, else 200."""
    if outcome.redirect is not None:
        return outcome.redirect
    status = 409 if outcome.conflict else (400 if form.errors else 200)
    return render(request, template, {"form": form, "conflict": outcome.conflict, **(context or {})}, status=status)


def run_action(request: HttpRequest, action: Callable[[], Any], *, success_message: str | Callable[[Any], str]) -> bool:
    """Run a one-click action (delete, deactivate…); a refusal becomes error messages."""
    try:
        result = action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    message = success_message(result) if callable(success_message) else success_message
    messages.success(request, message)
    return True
