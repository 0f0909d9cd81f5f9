"""The call queue's pages: the queue (one card at a time, the tally and who comes next), the
outcome screens, and the scripts.

Every action is a plain form post that works without JavaScript (it redirects back to the
queue); sent by htmx it answers with the queue's call area, swapped in place, so the URL stays
/call/ and the page never reloads.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mainthing.bookings import queries as booking_queries
from mainthing.bookings import services as booking_services
from mainthing.bookings.forms import day_label
from mainthing.core import timekit
from mainthing.core.forms import add_service_errors
from mainthing.core.htmx import is_htmx, template_for
from mainthing.prospects import queries as prospect_queries
from mainthing.prospects.models import Prospect, Stage

from . import queries, services
from .forms import BookedForm, DeclinedForm, LaterForm, OutcomeForm, ScriptsForm, SourceForm
from .models import UNANSWERED, Outcome

PAGE = "calls/queue.html"


def _render(request, *, now, screen=None, said: str = "", errors=(), status: int = 200):
    user = request.user
    page = queries.call_page(user, now=now)
    source = page.session.source_id if page.session else None
    context = {
        "page": page,
        "screen": screen,
        "said": said,
        "errors": list(errors),
        "source_form": SourceForm(user=user, initial={"source": source}),
        "later_form": LaterForm(),
        "tz": timekit.zone(user.time_zone),
    }
    if is_htmx(request):
        # htmx swaps only 2xx answers: a refused booking still shows its message.
        status = 200
    return render(request, template_for(request, PAGE, "call-area"), context, status=status)


def _next(request, *, now, said: str = ""):
    """After an action: htmx gets the call area with the next card; a plain post goes back to
    the queue (post/redirect/get), with what happened as a message."""
    if is_htmx(request):
        return _render(request, now=now, said=said)
    if said:
        messages.success(request, said)
    return redirect("calls:queue")


def _refused(request, error: ValidationError, *, now):
    if is_htmx(request):
        return _render(request, now=now, errors=error.messages)
    for text in error.messages:
        messages.error(request, text)
    return redirect("calls:queue")


def _prospect(request, pk: int) -> Prospect:
    return prospect_queries.prospect_for_user(request.user, pk)


@login_required
@require_safe
def queue(request):
    """The next person to call, why, and everything to call them with."""
    return _render(request, now=timezone.now())


@login_required
@require_POST
def start_session(request):
    """Starts (or goes on with) the session ("Start calling" on Today), with the lead source
    to put first when the form names one."""
    now = timezone.now()
    if "source" not in request.POST:
        services.start_session(request.user, now=now)
        return _next(request, now=now)
    form = SourceForm(request.POST, user=request.user)
    if not form.is_valid():
        return _refused(request, ValidationError("Pick one of your lead sources."), now=now)
    source = form.cleaned_data["source"]
    services.start_session(request.user, now=now, source=source)
    said = f"New leads from {source.label} come first." if source else "New leads oldest first."
    return _next(request, now=now, said=said)


@login_required
@require_POST
def finish_session(request):
    now = timezone.now()
    session = services.finish_session(request.user, now=now)
    if session is None:
        return _next(request, now=now)
    t = queries.tally(session, now=now)
    said = (
        f"Session done: {t.dials} dials, {t.conversations} conversations, "
        f"{t.bookings} booked in {t.minutes} min."
    )
    return _next(request, now=now, said=said)


@login_required
@require_POST
def start_call(request, pk: int):
    """The call button: starts the call timer on this prospect."""
    now = timezone.now()
    prospect = _prospect(request, pk)
    try:
        services.start_call(request.user, prospect, now=now)
    except ValidationError as error:
        return _refused(request, error, now=now)
    return _next(request, now=now, said=f"Calling {prospect.name}: the timer runs.")


@login_required
@require_POST
def skip(request, pk: int):
    now = timezone.now()
    prospect = _prospect(request, pk)
    services.skip(request.user, prospect, now=now)
    return _next(request, now=now, said=f"Skipped {prospect.name}: they come back at the end.")


@login_required
@require_POST
def later(request, pk: int):
    now = timezone.now()
    prospect = _prospect(request, pk)
    form = LaterForm(request.POST)
    if not form.is_valid():
        return _refused(request, ValidationError("Pick when to call them back."), now=now)
    try:
        postponed = services.later_today(
            request.user, prospect, now=now, until=now + timedelta(hours=form.cleaned_data["hours"])
        )
    except ValidationError as error:
        return _refused(request, error, now=now)
    local = postponed.until.astimezone(timekit.zone(request.user.time_zone))
    return _next(request, now=now, said=f"{prospect.name} comes back at {local:%H:%M}.")


def _screen_form(request, kind: str, prospect: Prospect, *, now, data=None):
    user = request.user
    tz = timekit.zone(user.time_zone)
    if kind == Outcome.DECLINED:
        return DeclinedForm(data)
    slots = booking_queries.free_starts_ahead(user, now=now)
    if kind == Outcome.BOOKED:
        return BookedForm(
            data, slots=slots, tz=tz, initial={"idempotency_key": secrets.token_urlsafe(16)}
        )
    today = timekit.local_date(now, tz)
    initial = {"stage": Stage.CONTACTED if prospect.stage == Stage.NEW else prospect.stage}
    return OutcomeForm(data, prospect=prospect, today=today, slots=slots, tz=tz, initial=initial)


def _said(request, prospect: Prospect, result) -> str:
    if result.appointment is not None:
        local = result.appointment.start.astimezone(timekit.zone(request.user.time_zone))
        return f"{prospect.name}: next call {local:%a %d %b at %H:%M}."
    said = [Stage(prospect.stage).label]
    if prospect.follow_up_on:
        said.append(f"call again {day_label(prospect.follow_up_on)}")
    return f"{prospect.name}: {', '.join(said)}."


def _record(request, prospect: Prospect, outcome: str, form, *, now):
    """Records an outcome from its screen's form; the screen again with the reasons when the
    form or the service refuses it."""
    data = form.cleaned_data
    options: dict = {"note": data.get("note", "")}
    if outcome == Outcome.TALKED:
        options.update(
            stage=data["stage"],
            follow_up_on=data["follow_up"],
            book_at=data["book_at"],
            offer_affiliate=data["offer_affiliate"],
        )
    elif outcome == Outcome.BOOKED:
        options.update(book_at=data["book_at"], idempotency_key=data["idempotency_key"])
    else:
        options.update(offer_affiliate=data["offer"])
    try:
        result = services.record_outcome(request.user, prospect, outcome, now=now, **options)
    except ValidationError as error:
        add_service_errors(form, error)
    except (booking_services.SlotTaken, booking_services.OutsideProspecting) as error:
        form.add_error(None, str(error))
        status = 409 if isinstance(error, booking_services.SlotTaken) else 200
        return _screen(request, outcome, prospect, form, now=now, status=status)
    else:
        return _next(request, now=now, said=_said(request, prospect, result))
    return _screen(request, outcome, prospect, form, now=now)


def _screen(request, outcome: str, prospect: Prospect, form, *, now, status: int = 200):
    screen = {"kind": str(outcome), "prospect": prospect, "form": form}
    if isinstance(form, OutcomeForm):
        screen["steps"] = form.step_groups()
    elif isinstance(form, BookedForm):
        screen["days"] = form.slot_groups()
    return _render(request, now=now, screen=screen, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def record_outcome(request, pk: int, word: str):
    """One tap on an outcome. No answer and left a message are recorded at once; talked,
    booked and not interested stop the call's timer and open their screen, whose "save"
    records them. Then the next card."""
    now = timezone.now()
    prospect = _prospect(request, pk)
    try:
        outcome = services.parse_outcome(word)
    except ValidationError:
        raise Http404("No such outcome.") from None
    if outcome in UNANSWERED:
        if request.method != "POST":
            return redirect("calls:queue")
        try:
            result = services.record_outcome(request.user, prospect, outcome, now=now)
        except ValidationError as error:
            return _refused(request, error, now=now)
        said = f"{Outcome(outcome).label}: {_said(request, prospect, result)}"
        return _next(request, now=now, said=said)
    if request.method == "POST" and "save" in request.POST:
        form = _screen_form(request, outcome, prospect, now=now, data=request.POST)
        if form.is_valid():
            return _record(request, prospect, outcome, form, now=now)
        return _screen(request, outcome, prospect, form, now=now)
    if request.method == "POST":
        services.hang_up(request.user, prospect, now=now)
    form = _screen_form(request, outcome, prospect, now=now)
    return _screen(request, outcome, prospect, form, now=now)


@login_required
@require_http_methods(["GET", "POST"])
def scripts(request):
    """The user's call script for each stage, with the starters until they write their own."""
    rows = queries.scripts(request.user)
    form = ScriptsForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            for stage, text in form.texts().items():
                services.save_script(request.user, stage, text)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Scripts saved.")
            return redirect("calls:scripts")
    return render(request, "calls/scripts.html", {"form": form, "rows": rows})
