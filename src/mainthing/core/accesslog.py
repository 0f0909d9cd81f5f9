"""gunicorn's logger with secrets masked: `mainthing serve` passes it as --logger-class.

The access log line (`GET /feeds/<token>.ics`) and gunicorn's own error lines ("Error handling
request /accounts/password/reset/…") go through core/secretpaths.py's mask.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from mainthing.core.secretpaths import MaskSecrets

_MASK = MaskSecrets()


class MaskingLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(_MASK)  # a no-op when it is already there (a reload runs setup again)
