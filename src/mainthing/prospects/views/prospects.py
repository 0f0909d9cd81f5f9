"""The prospect pages: the list (search, filters, export), the card with its timeline, adding
and editing with the duplicate check, stage, notes, follow-ups, merging and deleting."""

from datetime import date
from urllib.parse import quote_plus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mainthing.activity import services as activity_services
from mainthing.core import timekit
from mainthing.core.forms import add_service_errors
from mainthing.core.htmx import is_htmx, template_for
from mainthing.core.navigation import url_pattern

from .. import exporting, followups, queries, services
from ..forms.prospects import (
    FollowUpForm,
    ListFilterForm,
    MergeSearchForm,
    NoteForm,
    ProspectForm,
    StageForm,
)
from ..models import CLOSED_STAGES, IncomeKind, Prospect, Stage
from . import local_today

# Where a declined prospect goes next: the product or the affiliate program.
AFFILIATE_OFFER = ("Offer the product / affiliate program", Stage.AFFILIATE_OFFERED)
# The kind of income the card's form suggests, from where the prospect stands.
INCOME_KIND_BY_STAGE = {
    Stage.JOINED: IncomeKind.ENROLLMENT,
    Stage.AFFILIATE_OFFERED: IncomeKind.AFFILIATE,
    Stage.AFFILIATE_JOINED: IncomeKind.AFFILIATE,
}


# --- the list and the export -------------------------------------------------------------------

# The list's rows are built in Python: resolving template variables and reversing a URL per
# row cost more than the rest of the page (see activity.widgets for the same reason).
ROW = (
    '<tr><td><a href="{}">{}</a></td><td>{}</td>'
    '<td><span class="stage stage-{}">{}</span></td><td>{}</td>'
    '<td class="when">{}</td><td class="when">{}</td><td>{}</td></tr>'
)
BR = SafeString("<br>")
# A follow-up whose day has come reads "due", calmly: a missed one rolls forward (Today shows
# it on the next prospecting day), it never turns red.
DUE_NOW = '<span class="due-now">Due</span>'
DUE_SINCE = '<span class="due-now">Due</span> <span class="muted">since {}</span>'


def _tag_href(params: QueryDict) -> str:
    """The start of a tag link: the current query string without page and tag, ready for
    the tag's value (quoted) to be appended."""
    kept = params.copy()
    kept.pop("page", None)
    kept.pop("tag", None)
    return f"?{kept.urlencode()}&tag=" if kept else "?tag="


def _rows_html(rows: list[queries.Row], *, params: QueryDict, today: date, tz) -> SafeString:
    card_url = url_pattern("prospects:card")
    tag_href = _tag_href(params)
    labels = dict(Stage.choices)

    def contact(row: queries.Row) -> SafeString:
        p = row.prospect
        phone = format_html('<a href="tel:{}">{}</a>', p.phone, row.phone) if p.phone else ""
        mail = format_html('<a href="mailto:{}">{}</a>', p.email, p.email) if p.email else ""
        return format_html("{}{}{}", phone, BR if phone and mail else "", mail)

    def follow_up(on: date | None) -> SafeString | str:
        if on is None:
            return ""
        label = f"{on:%a} {on.day} {on:%b}"
        if on < today:
            return format_html(DUE_SINCE, label)
        if on == today:
            return SafeString(DUE_NOW)
        return label

    def contacted(at) -> str:
        local = at.astimezone(tz) if at else None
        return f"{local.day} {local:%b %Y}" if local else ""

    def tags(p: Prospect) -> SafeString:
        links = ((tag_href + quote_plus(t), t) for t in p.tag_list)
        return format_html_join(" ", '<a class="tag" href="{}">{}</a>', links)

    return format_html_join(
        "\n",
        ROW,
        (
            (
                card_url.format(r.prospect.pk),
                r.prospect.name,
                contact(r),
                r.prospect.stage,
                labels.get(r.prospect.stage, r.prospect.stage),
                r.prospect.source.label,
                follow_up(r.prospect.follow_up_on),
                contacted(r.prospect.last_contacted_at),
                tags(r.prospect),
            )
            for r in rows
        ),
    )


@login_required
@require_safe
def prospect_list(request):
    user = request.user
    sources = queries.sources(user)
    form = ListFilterForm(request.GET or None, sources=sources)
    filters = form.filters()
    today = local_today(user)
    listing = queries.prospect_list(
        user, filters, today=today, page=request.GET.get("page") or 1, all_sources=sources
    )
    context = {
        "form": form,
        "filters": filters,
        "listing": listing,
        "rows_html": _rows_html(
            listing.rows, params=request.GET, today=today, tz=timekit.zone(user.time_zone)
        ),
    }
    return render(request, template_for(request, "prospects/list.html", "results"), context)


@login_required
@require_safe
def export_prospects(request):
    """The current search and filters as CSV, streamed: a list of any length costs one line
    of memory at a time."""
    user = request.user
    filters = ListFilterForm(request.GET or None, sources=queries.sources(user)).filters()
    today = local_today(user)
    rows = queries.export_rows(user, filters, today=today)
    response = StreamingHttpResponse(
        exporting.stream(rows.iterator(chunk_size=2000), tz=timekit.zone(user.time_zone)),
        content_type="text/csv; charset=utf-8",
    )
    name = f"prospects-{today:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the card ----------------------------------------------------------------------------------


def _card_context(request, prospect: Prospect, **extra) -> dict:
    user = request.user
    whole = request.GET.get("history") == "all"
    stages = services.allowed_stages(prospect.stage)
    return {
        "prospect": prospect,
        "phone": services.format_phone(prospect.phone, user.phone_region),
        "stages": [(s, Stage(s).label) for s in stages],
        "affiliate_offer": (
            AFFILIATE_OFFER
            if prospect.stage == Stage.DECLINED and AFFILIATE_OFFER[1] in stages
            else None
        ),
        "closed": prospect.stage in CLOSED_STAGES,
        "quick_picks": followups.QUICK_PICKS,
        "today": local_today(user),
        "timeline": queries.timeline(
            prospect,
            tz=timekit.zone(user.time_zone),
            limit=None if whole else queries.TIMELINE_LIMIT,
        ),
        # For "Start a call": the timer is then linked to this prospect.
        "call_categories": activity_services.income_categories(user),
        "income_kinds": IncomeKind.choices,
        "income_kind": INCOME_KIND_BY_STAGE.get(prospect.stage, IncomeKind.OTHER),
        **extra,
    }


@login_required
@require_safe
def prospect_card(request, pk: int):
    prospect = queries.prospect_for_user(request.user, pk)
    return render(request, "prospects/card.html", _card_context(request, prospect))


def _card_answer(request, prospect: Prospect, *, error: str = "", done: str = ""):
    """After a change on the card: htmx gets the card's main part again (with the error, if
    any); a plain form post is redirected back to the card with a message."""
    if is_htmx(request):
        # The services changed `prospect` in place: no need to read it again.
        context = _card_context(request, prospect, error=error, done=done)
        return render(request, "prospects/card.html#main", context)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect("prospects:card", pk=prospect.pk)


@login_required
@require_POST
def change_stage(request, pk: int):
    prospect = queries.prospect_for_user(request.user, pk)
    form = StageForm(request.POST)
    if not form.is_valid():
        return _card_answer(request, prospect, error="Pick one of the stages.")
    stage = form.cleaned_data["stage"]
    try:
        services.change_stage(prospect, stage, now=timezone.now(), note=form.cleaned_data["note"])
    except ValidationError as error:
        return _card_answer(request, prospect, error=" ".join(error.messages))
    return _card_answer(request, prospect, done=f"Stage: {Stage(stage).label}.")


@login_required
@require_POST
def add_note(request, pk: int):
    prospect = queries.prospect_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _card_answer(request, prospect, error="Write something first.")
    try:
        services.add_note(prospect, form.cleaned_data["text"], now=timezone.now())
    except ValidationError as error:
        return _card_answer(request, prospect, error=" ".join(error.messages))
    return _card_answer(request, prospect, done="Note added.")


@login_required
@require_POST
def set_follow_up(request, pk: int):
    """A date, a quick pick (2 days, 1 week, 1 month from the user's today) or clearing it."""
    prospect = queries.prospect_for_user(request.user, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        # The field's own message says what was wrong (not a date, or outside the range).
        problems = form.non_field_errors() + form.errors.get("on", [])
        error = " ".join(problems) or "That is not a date."
        return _card_answer(request, prospect, error=error)
    data = form.cleaned_data
    if data["clear"]:
        on = None
    elif data["days"]:
        on = followups.quick_pick(local_today(request.user), data["days"])
    else:
        on = data["on"]
    try:
        services.set_follow_up(prospect, on)
    except ValidationError as error:
        return _card_answer(request, prospect, error=" ".join(error.messages))
    done = f"Follow up on {on:%a %d %b %Y}." if on else "Follow-up cleared."
    return _card_answer(request, prospect, done=done)


# --- adding, editing, merging, deleting --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def add_prospect(request):
    """Adds a prospect. When the email or phone is already known, the page shows the matches
    and offers to merge the new details into one of them, or to add anyway."""
    user = request.user
    services.unknown_source(user)  # the default choice, made on first need
    form = ProspectForm(request.POST or None, user=user)
    matches: list[Prospect] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "now": timezone.now(),
            "source": data["source"],
            "stage": data["stage"],
            "follow_up_on": data["follow_up_on"],
        }
        into = request.POST.get("merge_into")
        try:
            if into:
                existing = queries.prospect_for_user(request.user, into)
                prospect = services.add_into(user, existing, data["contact"], **fields)
                messages.success(request, f"Merged the new details into {prospect.name}.")
                return redirect("prospects:card", pk=prospect.pk)
            prospect = services.add_prospect(
                user,
                data["contact"],
                allow_duplicate=bool(request.POST.get("allow_duplicate")),
                **fields,
            )
        except services.DuplicateProspect as duplicate:
            matches = duplicate.matches
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added {prospect.name}.")
            return redirect("prospects:card", pk=prospect.pk)
    return render(
        request,
        "prospects/form.html",
        {"form": form, "prospect": None, "matches": _match_rows(user, matches)},
    )


def _match_rows(user, matches: list[Prospect]) -> list[queries.Row]:
    return [queries.Row(m, services.format_phone(m.phone, user.phone_region)) for m in matches]


@login_required
@require_http_methods(["GET", "POST"])
def edit_prospect(request, pk: int):
    """Edits contacts, source, tags and notes. A new email or phone that another prospect has
    is shown with its matches: save anyway, or merge the match into this prospect."""
    user = request.user
    prospect = queries.prospect_for_user(request.user, pk)
    form = ProspectForm(request.POST or None, user=user, prospect=prospect)
    matches: list[Prospect] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact = data["contact"]
        merge_from = request.POST.get("merge_from")
        changed = (services.email_key(contact.email), contact.phone) != (
            prospect.email_key,
            prospect.phone,
        )
        # Only a changed email or phone is checked, so a duplicate once kept on purpose does
        # not ask again at every edit.
        if changed and not merge_from and not request.POST.get("allow_duplicate"):
            matches = services.find_duplicates(
                user, email=contact.email, phone=contact.phone, exclude=prospect.pk
            )
        if not matches:
            other = queries.prospect_for_user(request.user, merge_from) if merge_from else None
            try:
                services.update_and_merge(
                    prospect, contact, now=timezone.now(), source=data["source"], merge_from=other
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Saved {prospect.name}.")
                return redirect("prospects:card", pk=prospect.pk)
    return render(
        request,
        "prospects/form.html",
        {"form": form, "prospect": prospect, "matches": _match_rows(user, matches)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge_prospects(request, pk: int):
    """Merging another prospect into this one: find it, compare both, confirm."""
    user = request.user
    prospect = queries.prospect_for_user(request.user, pk)
    if request.method == "POST":
        other = queries.prospect_for_user(request.user, request.POST.get("other", ""))
        try:
            services.merge(prospect, other, now=timezone.now())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("prospects:merge", pk=prospect.pk)
        messages.success(request, f"Merged {other.name} into {prospect.name}.")
        return redirect("prospects:card", pk=prospect.pk)
    other_pk = request.GET.get("other")
    if other_pk:
        other = queries.prospect_for_user(request.user, other_pk)
        if other.pk == prospect.pk:
            raise Http404("A prospect can't be merged with itself.")
        region = user.phone_region
        return render(
            request,
            "prospects/merge.html",
            {
                "prospect": prospect,
                "other": other,
                "pair": [
                    queries.Row(prospect, services.format_phone(prospect.phone, region)),
                    queries.Row(other, services.format_phone(other.phone, region)),
                ],
            },
        )
    search = MergeSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    candidates = queries.merge_candidates(user, prospect, q)
    return render(
        request,
        "prospects/merge.html",
        {
            "prospect": prospect,
            "other": None,
            "search": search,
            "q": q,
            "candidates": _match_rows(user, candidates),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_prospect(request, pk: int):
    prospect = queries.prospect_for_user(request.user, pk)
    if request.method == "POST":
        name = prospect.name
        services.delete_prospect(prospect)
        messages.success(request, f"Deleted {name} and their history.")
        return redirect("prospects:list")
    return render(request, "prospects/confirm_delete.html", {"prospect": prospect})


@login_required
@require_safe
def suggest(request):
    """The booking form's suggestions as you type: your prospects whose name, email or phone
    fit, and "New prospect: …" with the typed name unless one has exactly it."""
    q = " ".join(request.GET.get("prospect_name", request.GET.get("q", "")).split())[:120]
    user = request.user
    found = [
        {
            "pk": p.pk,
            "name": p.name,
            "contact": p.email or services.format_phone(p.phone, user.phone_region),
            "stage_label": Stage(p.stage).label,
        }
        for p in queries.suggestions(user, q)
    ]
    exact = any(p["name"].casefold() == q.casefold() for p in found)
    context = {"q": q, "found": found, "exact": exact}
    return render(request, "prospects/suggestions.html", context)
