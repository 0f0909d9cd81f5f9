"""The insights settings, sent from the scorecard and the review pages: the income goal and the
weekly review email. Each is a POST that saves through the services and goes back to the page
that sent it (`next`), saying what happened in a message; a mistake is said there too, and
nothing is saved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from mainthing.core.forms import add_service_errors
from mainthing.core.navigation import safe_next

from .. import reads, services
from ..forms import WEEKDAYS, GoalForm, ReviewEmailForm
from ..models import InsightSettings


def forms_for(user, row: InsightSettings | None = None) -> dict:
    """The two settings forms showing the user's current values, for the pages that include
    `insights/goal_form.html` and `insights/review_email_form.html`. A page that has read the
    settings row already passes it."""
    row = row or reads.settings_for(user)
    return {
        "goal_form": GoalForm(user=user, initial=GoalForm.initial_for(row)),
        "review_email_form": ReviewEmailForm(user=user, initial=ReviewEmailForm.initial_for(row)),
    }


def _problems(form) -> str:
    return " ".join(
        " ".join(errors) if field == "__all__" else f"{form[field].label}: {' '.join(errors)}"
        for field, errors in form.errors.items()
    )


@login_required
@require_POST
def goal(request):
    user = request.user
    # Read before anything is written: whatever `next` holds, the answer is a redirect to a path.
    target = safe_next(request, reverse("insights:scorecard"))
    form = GoalForm(request.POST, user=user)
    if form.is_valid():
        try:
            row = services.save_goal(user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if row.income_goal is None:
                messages.success(request, "Goal cleared.")
            else:
                messages.success(
                    request, f"Goal saved: {row.income_goal:,.2f} {user.currency} a month."
                )
            return HttpResponseRedirect(target)
    messages.error(request, "Goal not saved. " + _problems(form))
    return HttpResponseRedirect(target)


@login_required
@require_POST
def review_email(request):
    user = request.user
    target = safe_next(request, reverse("insights:review"))
    form = ReviewEmailForm(request.POST, user=user)
    if form.is_valid():
        weekday, hour = form.cleaned_data["weekday"], form.cleaned_data["hour"]
        try:
            services.save_review_schedule(user, weekday=weekday, hour=hour, now=timezone.now())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if weekday is None:
                messages.success(request, "The weekly review email is off.")
            else:
                messages.success(
                    request,
                    f"The weekly review email comes every {WEEKDAYS[weekday]} at {hour:02d}:00 "
                    f"({user.time_zone}).",
                )
            return HttpResponseRedirect(target)
    messages.error(request, "Weekly review email not saved. " + _problems(form))
    return HttpResponseRedirect(target)
