"""The user's own booking page settings, `/book/settings/`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from mainthing.core.forms import add_service_errors
from mainthing.routine import queries as routine_queries

from .. import links, pagesettings, public
from ..forms.public import PageSettingsForm


@login_required
@require_http_methods(["GET", "POST"])
def page_settings(request):
    page = public.page_for(request.user)
    form = PageSettingsForm(request.POST or None, page=page)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                pagesettings.update_page(page, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Booking page saved.")
                return redirect("booking:settings")
        status = 422
        page.refresh_from_db()
    context = {
        "form": form,
        "page": page,
        "page_url": links.booking_url(page),
        "nav": "profile",
        # With no prospecting time the page offers nothing: say so, with the way to fix it.
        "has_blocks": routine_queries.has_prospecting_blocks(request.user),
    }
    return render(request, "bookings/public/settings.html", context, status=status)
