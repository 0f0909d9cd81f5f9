"""The first-run checklist's own buttons: hide it, bring it back, and "I've shared my link"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from mainthing.accounts import services as account_services
from mainthing.core.navigation import safe_next


@login_required
@require_POST
def hide_checklist(request):
    account_services.hide_checklist(request.user, now=timezone.now())
    messages.success(request, "Set-up list hidden. Bring it back from your profile.")
    return redirect("today")


@login_required
@require_POST
def show_checklist(request):
    account_services.show_checklist(request.user)
    return redirect("today")


@login_required
@require_POST
def link_shared(request):
    """The user says they put their booking link where prospects see it."""
    account_services.mark_booking_link_shared(request.user, now=timezone.now())
    messages.success(request, "Marked as shared. Bookings through your page show on Today.")
    return redirect(safe_next(request, "booking:settings"))
