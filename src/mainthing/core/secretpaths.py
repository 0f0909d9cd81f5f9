"""URLs that carry a secret, and the mask that keeps the secret out of every log line.

A feed token or a reset link in a log is as good as the link itself to whoever reads the log
(log files get shared, shipped and kept), so every log line Mainthing's processes write - the
web server's access log (core/accesslog.py) and Django's own warnings such as "Not Found: /feeds/…"
(the LOGGING filter in settings) - goes through `mask`. A new URL with a secret in its path adds
its pattern here; tests/core/test_secretpaths.py fails for a URL parameter named like a token
that no pattern masks.
"""

from __future__ import annotations

import logging
import re

MASK = "[token]"
_SEGMENT = r"[^/?#\s\"']+"

# Each pattern matches the secret itself; what comes before it stays readable.
SECRET_PATHS = (
    # The calendar feed, /feeds/<token>.ics: polled by calendar apps every few minutes.
    re.compile(rf"(?<=/feeds/){_SEGMENT}?(?=\.ics)"),
    # A password reset link, /accounts/password/reset/<uidb64>/<token>/. Django then redirects
    # to …/<uidb64>/set-password/, which holds no secret.
    re.compile(rf"(?<=/accounts/password/reset/)({_SEGMENT}/)(?!set-password/){_SEGMENT}"),
    # The link mailed at sign-up, /accounts/signup/finish/<token>/: it creates the account.
    re.compile(rf"(?<=/accounts/signup/finish/){_SEGMENT}"),
    # A prospect's manage link, /booking/<token>/ (and its reschedule and cancel posts).
    re.compile(rf"(?<=/booking/){_SEGMENT}"),
)


def mask(text: str) -> str:
    """TEXT with the secret of every secret-bearing URL in it replaced by [token]."""
    for pattern in SECRET_PATHS:
        text = pattern.sub(_masked, text)
    return text


def _masked(match: re.Match) -> str:
    # A pattern with a group keeps the group (the reset link's user id) and masks the rest.
    return (match.group(1) if match.re.groups else "") + MASK


class MaskSecrets(logging.Filter):
    """A logging filter that masks secrets in the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
