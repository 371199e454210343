"""One JSON error shape for the whole API:

    {"error": {"code": "...", "message": "...", "fields": {"name": ["message", ...]}}}

`fields` names the offending fields (empty when the error is not about a field).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from relata.core.access import ModuleDisabled
from relata.core.concurrency import StaleVersion

log = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """Pydantic's location ("body", "payload", "name") → the field's name as the client
    sent it ("name"); list positions become "items.0.name"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "form", "header", "cookie"):
        parts = parts[1:]
        # A body schema parameter adds its own name (e.g. "payload") before the field.
        if len(parts) > 1 and not parts[0].isdigit() and loc[0] == "body":
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def _validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        fields.setdefault(_field_name(error.get("loc", ())), []).append(message)
    return fields


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(
            request, 422, error_body("validation_error", _("Some fields are invalid."), _validation_fields(exc.errors))
        )

    @api.exception_handler(ValidationError)
    def service_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {name: [str(m) for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
            message = next(iter(fields.values()))[0] if fields else _("The request is invalid.")
        else:
            fields, message = {}, "; ".join(exc.messages)
        return respond(request, 422, error_body("validation_error", message, fields))

    @api.exception_handler(StaleVersion)
    def stale_version(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
        return respond(
            request,
            409,
            error_body(
                "conflict",
                str(exc),
                {},
                current=exc.current,
                current_version=exc.current_version,
                changed_by_others=exc.theirs,
            ),
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request,
            401,
            error_body(
                "not_authenticated", _("Authenticate with an API token (Authorization: Bearer …) or a session.")
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="relata"'
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, error_body("permission_denied", _("Your role does not allow this action.")))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = _("This module is switched off.") if isinstance(exc, ModuleDisabled) else _("Not found.")
        return respond(request, 404, error_body("not_found", message))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, error_body("request_too_large", _("The request body is too large.")))

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
        return respond(request, 413, error_body("request_too_large", _("The request has too many fields.")))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if exc.status_code == 400 and isinstance(cause, json.JSONDecodeError | UnicodeDecodeError):
            detail = (
                f"{cause.msg} (line {cause.lineno}, column {cause.colno})"
                if isinstance(cause, json.JSONDecodeError)
                else str(cause)
            )
            return respond(
                request,
                400,
                error_body("malformed_json", _("The request body is not valid JSON: %(detail)s.") % {"detail": detail}),
            )
        if exc.status_code == 429:
            return respond(request, 429, error_body("throttled", _("Too many requests; slow down.")))
        return respond(request, exc.status_code, error_body("http_error", str(exc)))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error on %s %s", request.method, request.path)
        return respond(request, 500, error_body("server_error", _("Internal error; it has been logged.")))
