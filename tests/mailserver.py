"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): what the app sends arrives here
and is read back, instead of a mocked mail backend."""

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An SMTP server (aiosmtpd, in a thread) on a free port of 127.0.0.1: `messages` holds
    every mail it accepted, parsed; `stop()` closes the port (a server that is down) and
    `start()` opens it again; addresses in `refuse` are refused for good (550)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def url(self) -> str:
        """MAINTHING_EMAIL_URL for a process that sends here (plain SMTP, no TLS)."""
        return f"smtp://127.0.0.1:{self.port}?tls=0"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def subjects(self, address: str | None = None) -> list[str]:
        found = self.messages if address is None else self.to(address)
        # Django folds a long non-ASCII subject onto a second line; readers drop the fold's
        # space.
        return [str(m["Subject"]).strip() for m in found]
