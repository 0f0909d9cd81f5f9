"""Money pages: lead sources (per lead-gen category, with their link keys, prospect counts and
spend) and income (by month, with totals per kind and currency)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mainthing.bookings import links
from mainthing.bookings import public as booking_public
from mainthing.core import timekit
from mainthing.core.forms import add_service_errors
from mainthing.core.htmx import is_htmx, template_for
from mainthing.core.navigation import safe_next

from .. import queries, queries_money, services
from ..forms.money import IncomeForm, SourceEditForm, SourceForm, SpendForm
from ..models import LeadSource
from . import local_today

# --- lead sources --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sources(request):
    user = request.user
    form = SourceForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.add_source(user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added {source.label}: its link key is {source.key}.")
            return redirect("prospects:sources")
    groups, loose = queries_money.sources_by_category(user)
    page = booking_public.page_for(user)
    for source in [s for group in groups for s in group.sources] + loose:
        source.booking_url = _link(page, source)
    return render(
        request,
        "prospects/sources.html",
        {
            "form": form,
            "groups": groups,
            "loose": loose,
            "currency": user.currency,
            "booking_page": page,
        },
    )


def _link(page, source: LeadSource) -> str:
    """The source's booking link; none for an archived source (a booking through its old key
    counts under the page's default source)."""
    return "" if source.archived else links.booking_url(page, source)


def _spend_context(request, source: LeadSource) -> dict:
    """What the source page's spend list shows (the whole page and its htmx partial)."""
    spends = list(source.spends.order_by("-date", "-pk"))
    return {
        "source": source,
        "spends": spends,
        "spend_total": sum((s.amount for s in spends), queries_money.ZERO),
        "currency": request.user.currency,
    }


def _source_page(request, source: LeadSource, *, form=None, spend_form=None, status=200):
    context = {
        **_spend_context(request, source),
        "form": form
        or SourceEditForm(
            initial={"campaign": source.campaign, "key": source.key, "archived": source.archived}
        ),
        "spend_form": spend_form or SpendForm(initial={"date": local_today(request.user)}),
        "prospect_count": source.prospects.count(),
    }
    page = booking_public.page_for(request.user)
    context.update(booking_page=page, booking_url=_link(page, source))
    return render(request, "prospects/source_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit_source(request, pk: int):
    source = queries.source_for_user(request.user, pk)
    if request.method == "GET":
        return _source_page(request, source)
    form = SourceEditForm(request.POST)
    if form.is_valid():
        try:
            services.edit_source(source, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            state = " and archived it" if source.archived else ""
            messages.success(request, f"Saved {source.label}{state}.")
            return redirect("prospects:sources")
    return _source_page(request, source, form=form, status=422)


@login_required
@require_POST
def add_spend(request, pk: int):
    source = queries.source_for_user(request.user, pk)
    form = SpendForm(request.POST)
    if form.is_valid():
        try:
            services.add_spend(
                source,
                on=form.cleaned_data["date"],
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Spend added to {source.label}.")
            return redirect("prospects:edit-source", source.pk)
    return _source_page(request, source, spend_form=form, status=422)


@login_required
@require_POST
def delete_spend(request, pk: int):
    spend = queries.spend_for_user(request.user, pk)
    source = spend.source
    services.delete_spend(spend)
    if is_htmx(request):
        context = _spend_context(request, source)
        return render(request, "prospects/source_edit.html#spend-list", context)
    messages.success(request, "Spend deleted.")
    return redirect("prospects:edit-source", source.pk)


@login_required
@require_safe
def source_qr(request, pk: int, kind: str):
    """The source's booking link as a QR code (`kind` "svg" or "png"), for flyers, cards and
    slides; `?download=1` saves it as a file. None for an archived source."""
    source = queries.source_for_user(request.user, pk)
    url = _link(booking_public.page_for(request.user), source)
    if not url:
        raise Http404("An archived source has no booking link.")
    if kind == "svg":
        response = HttpResponse(links.qr_svg(url), content_type="image/svg+xml")
    else:
        response = HttpResponse(links.qr_png(url), content_type="image/png")
    if request.GET.get("download") == "1":
        name = f"booking-link-{source.key}.{kind}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- income --------------------------------------------------------------------------------------


def _income_page(request, form, *, year: int | None = None, status: int = 200):
    user = request.user
    year = year or local_today(user).year
    context = {"form": form, "income": queries_money.income_year(user, year)}
    template = template_for(request, "prospects/income.html", "months")
    return render(request, template, context, status=status)


@login_required
@require_safe
def income_list(request):
    user = request.user
    year = request.GET.get("year", "")
    # A year the product's calendar holds (timekit.EARLIEST..LATEST), else this year.
    year = (
        int(year)
        if year.isdigit() and timekit.EARLIEST.year <= int(year) <= timekit.LATEST.year
        else None
    )
    initial = {"date": local_today(user)}
    if request.GET.get("prospect", "").isdigit():
        initial["prospect"] = queries.prospect_for_user(user, request.GET["prospect"]).pk
    form = IncomeForm(initial=initial, user=user)
    return _income_page(request, form, year=year)


@login_required
@require_POST
def add_income(request):
    """Records income from the income page or a prospect's card (which sends `next` to go
    back to). Another user's prospect is a 404, like any object of theirs."""
    user = request.user
    form = IncomeForm(request.POST, user=user)
    # Read before anything is written: whatever `next` holds, the answer is a redirect to a path.
    target = safe_next(request, "")
    if form.is_valid():
        data = form.cleaned_data
        prospect = (
            queries.prospect_for_user(request.user, data["prospect"]) if data["prospect"] else None
        )
        try:
            income = services.add_income(
                user,
                on=data["date"],
                amount=data["amount"],
                kind=data["kind"],
                currency=data["currency"],
                prospect=prospect,
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            whom = f" from {prospect.name}" if prospect else ""
            messages.success(
                request, f"Recorded {income.amount} {income.currency} {income.kind}{whom}."
            )
            return HttpResponseRedirect(
                target or f"{reverse('income:list')}?year={income.date.year}"
            )
    if target:
        # Back to the card that posted it, with what was wrong.
        problems = [
            " ".join(errors) if field == "__all__" else f"{form[field].label}: {' '.join(errors)}"
            for field, errors in form.errors.items()
        ]
        messages.error(request, "Income not recorded. " + " ".join(problems))
        return HttpResponseRedirect(target)
    return _income_page(request, form, status=422)


@login_required
@require_POST
def delete_income(request, pk: int):
    income = queries.income_for_user(request.user, pk)
    year = income.date.year
    services.delete_income(income)
    if is_htmx(request):
        return _income_page(request, IncomeForm(user=request.user), year=year)
    messages.success(request, "Income entry deleted.")
    return HttpResponseRedirect(safe_next(request, f"{reverse('income:list')}?year={year}"))
