"""View decorators: the page-level half of the access mechanism."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from relata.core.access import require

View = Callable[..., HttpResponse]


def actor_required(view: View) -> View:
    """Logged in and an active member of a workspace; otherwise the log-in page, or a
    page that says access was turned off."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if request.htmx:  # type: ignore[attr-defined]
                response = HttpResponse(status=401)
                response["HX-Redirect"] = redirect_to_login(request.get_full_path())["Location"]
                return response
            return redirect_to_login(request.get_full_path())
        if request.actor is None:  # type: ignore[attr-defined]
            return render(request, "core/no_access.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def permission_required(module: str, action: str) -> Callable[[View], View]:
    """`actor_required` plus the module permission (404 if the module is off, else 403)."""

    def decorate(view: View) -> View:
        @actor_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.actor, module, action)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
