"""Text limits: a value longer than its field holds is refused with a message, never cut short
in silence or stored whole.

Forms refuse it first (each text field's `max_length` matches its model field's, and the
browser gets `maxlength`: tests/core/test_limits.py). The services check again with `fit`, for
the CLI and every other caller that skips a form: SQLite does not enforce a column's length,
so without this a long note would be stored whole there and fail with a DataError on
PostgreSQL. Imports that join several columns into one (lead notes) cut to the limit instead,
as their documentation says.
"""

from django.core.exceptions import ValidationError
from django.db import models

# Longest password any form takes: far above what people and password managers use, far
# below what would make hashing a login attempt expensive.
PASSWORD_MAX_LENGTH = 1024


def too_long(label: str, length: int, limit: int) -> str:
    return f"Keep the {label} to {limit:,} characters (this is {length:,})."


def fit(model: type[models.Model], **values: str | None) -> tuple[str, ...]:
    """The values stripped, in the order given, when each fits its field of `model`; one
    ValidationError naming every field that doesn't otherwise."""
    cleaned, errors = [], {}
    for name, value in values.items():
        text = (value or "").strip()
        field = model._meta.get_field(name)
        if field.max_length is not None and len(text) > field.max_length:
            errors[name] = too_long(str(field.verbose_name), len(text), field.max_length)
        cleaned.append(text)
    if errors:
        raise ValidationError(errors)
    return tuple(cleaned)


class PasswordLengthValidator:
    """Refuses a password longer than PASSWORD_MAX_LENGTH wherever one is set (sign-up,
    change, reset), so the login form's limit never locks anyone out."""

    def validate(self, password: str, user=None) -> None:
        if len(password) > PASSWORD_MAX_LENGTH:
            raise ValidationError(
                too_long("password", len(password), PASSWORD_MAX_LENGTH),
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {PASSWORD_MAX_LENGTH:,} characters long."
