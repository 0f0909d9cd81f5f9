"""The user's own booking page settings, `/book/settings/`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from mainthing.core.forms import add_service_errors

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
    context = {"form": form, "page": page, "page_url": links.booking_url(page), "nav": "profile"}
    return render(request, "bookings/public/settings.html", context, status=status)
