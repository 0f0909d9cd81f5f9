"""One helper renders every email from templates: <name>_subject.txt, <name>.txt, <name>.html.

`render` gives the three parts without sending (the booking outbox stores them and sends
later); `message` builds what is sent, with an optional iCalendar invitation; `send_templated`
does both at once for mails that need no outbox.

The subject and the plain text are rendered without HTML escaping (a name like "O'Brien" must
read as typed there); the HTML part is escaped as every page is. A subject is one line: any
line break a value carried is folded away, so no header can be smuggled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string

SUBJECT_MAX_LENGTH = 200


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _render_unescaped(template_name: str, context: dict) -> str:
    template = get_template(template_name).template  # the engine's own Template
    return template.render(Context(context, autoescape=False))


def render(name: str, context: dict) -> Rendered:
    """The subject, plain text and HTML of `emails/<name>…` for `context` (plus `base_url`)."""
    context = {"base_url": settings.BASE_URL, **context}
    subject = " ".join(_render_unescaped(f"emails/{name}_subject.txt", context).split())
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    text = _render_unescaped(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return Rendered(subject, text, html)


def calendar_method(ics: str) -> str:
    """The METHOD of an iCalendar text (REQUEST, CANCEL, PUBLISH), or "" when it has none."""
    for line in ics.splitlines():
        if line.upper().startswith("METHOD:"):
            return line.split(":", 1)[1].strip().upper()
    return ""


def message(
    to: str,
    subject: str,
    text: str,
    html: str,
    *,
    ics: str = "",
    ics_name: str = "invite.ics",
    reply_to: str = "",
) -> EmailMultiAlternatives:
    """The email to send: plain text, an HTML alternative and, with `ics`, the calendar file
    attached as `text/calendar` with its METHOD, which mail clients read as an invitation."""
    mail = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to], reply_to=[reply_to] if reply_to else None
    )
    if html:
        mail.attach_alternative(html, "text/html")
    if ics:
        part = MIMEText(ics, "calendar", "utf-8")
        if method := calendar_method(ics):
            part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename=ics_name)
        mail.attach(part)
    return mail


def send_templated(name: str, to: str, context: dict) -> None:
    rendered = render(name, context)
    message(to, rendered.subject, rendered.text, rendered.html).send()
