"""The API's error answers, one shape for all: `{"detail": "what went wrong"}`, plus `errors`
(reasons per field) on a 422, `slots` on a taken time's 409 and `retry_after` on a 429.

A 422 reads the same whether django-ninja refused the request's shape (a missing field, a
string where a number goes, a body that isn't JSON) or the services refused a value (a
`ValidationError` from `bookings.public`): `{"detail": ..., "errors": {"field": ["reason"]}}`.
Reasons a whole request has, rather than one field, go under `"__all__"`, as in Django forms.
"""

from __future__ import annotations

import json
import math

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError

CHECK_FIELDS = "Some fields need another look."
NOT_JSON = "Send the request body as a JSON object."
TOO_BIG = "The request body is too big."


def error(status: int, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def not_found(detail: str = "Not found.") -> JsonResponse:
    return error(404, detail)


def invalid(errors: dict[str, list[str]]) -> JsonResponse:
    return error(422, CHECK_FIELDS, errors=errors)


def too_many(retry_after: int, what: str) -> JsonResponse:
    """429 with `Retry-After`: `what` names what was limited ("Too many booking attempts")."""
    minutes = math.ceil(retry_after / 60)
    when = "in a minute" if minutes <= 1 else f"in {minutes} minutes"
    response = error(429, f"{what}. Please try again {when}.", retry_after=retry_after)
    response["Retry-After"] = str(retry_after)
    return response


def service_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as reasons per field."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


# --- ninja's own refusals, in the same shape --------------------------------------------------

# What pydantic's error types mean, said for a person writing a client. The ones not listed
# keep pydantic's own message.
_REASONS = {
    "missing": "This field is required.",
    "string_type": "Give this as a JSON string.",
    "int_type": "Give a whole number.",
    "int_parsing": "Give a whole number.",
    "int_from_float": "Give a whole number.",
    "bool_type": "Give true or false.",
    "date_type": "Give a date like 2026-06-11.",
    "date_parsing": "Give a date like 2026-06-11.",
    "date_from_datetime_parsing": "Give a date like 2026-06-11.",
    "date_from_datetime_inexact": "Give a date like 2026-06-11, without a time.",
    "datetime_type": "Give a time like 2026-06-11T19:00:00+01:00.",
    "datetime_parsing": "Give a time like 2026-06-11T19:00:00+01:00.",
    "datetime_from_date_parsing": "Give a time like 2026-06-11T19:00:00+01:00.",
    "timezone_aware": "Give the time with its UTC offset, like 2026-06-11T19:00:00+01:00.",
    "model_type": NOT_JSON,
    "model_attributes_type": NOT_JSON,
    "dict_type": NOT_JSON,
}


def _reason(problem: dict) -> str:
    kind, ctx = problem.get("type", ""), problem.get("ctx") or {}
    if kind == "string_too_long":
        return f"Keep this to {ctx.get('max_length', 0):,} characters."
    if kind == "string_too_short":
        return "This can't be empty."
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"Give a number {problem.get('msg', '').removeprefix('Input should be ')}."
    return _REASONS.get(kind, problem.get("msg", "This value isn't valid."))


def _field(loc: tuple | list) -> str:
    """The field a problem is about: the last name in its location ("body", "payload",
    "email" → "email"); a problem with the body as a whole is about `body`."""
    names = [str(part) for part in loc[1:] if not isinstance(part, int)]
    if loc and loc[0] == "body":
        names = names[1:]  # the view's parameter name, not a field the client sent
    return names[-1] if names else str(loc[0]) if loc else "__all__"


def schema_errors(problems: list[dict]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        reasons = errors.setdefault(_field(problem.get("loc", ())), [])
        reason = _reason(problem)
        if reason not in reasons:
            reasons.append(reason)
    return errors


def _not_an_object(request) -> bool:
    """Whether a request that should carry a JSON object carries something else (nothing, an
    array, a string): ninja then reports every field missing, which hides the real mistake."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    try:
        return not isinstance(json.loads(request.body), dict)
    except ValueError:
        return True


def install(api) -> None:
    """The handlers that give every error of `api` the shape above."""

    @api.exception_handler(SchemaError)
    def schema_error(request, exc: SchemaError):
        if _not_an_object(request):
            return invalid({"body": [NOT_JSON]})
        return invalid(schema_errors(exc.errors))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc: RequestDataTooBig):
        return invalid({"body": [TOO_BIG]})

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # ninja answers 400 "Cannot parse request body" for a body that isn't JSON (or is too
        # big for DATA_UPLOAD_MAX_MEMORY_SIZE): to a client that is a bad field like any other.
        if exc.status_code == 400:
            return invalid({"body": [NOT_JSON]})
        return error(exc.status_code, str(exc))

    @api.exception_handler(Http404)
    def missing(request, exc: Http404):
        return not_found()
