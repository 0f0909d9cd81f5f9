"""Every page passes axe-core's checks with no critical and no serious violation, at 1280 px
and on a 360 px phone, signed in and signed out, with data on it and with forms showing errors.

The signed-in and public pages come from Django's URL resolver: a route added to the app is
either visited here or listed in EXCLUDED with the reason, else
`test_every_route_is_visited_or_excluded_with_a_reason` fails.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest

from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    PASSWORD,
    TZ,
    axe_serious,
    flash,
)
from tests.browser.routes import EXCLUDED, page_routes


def browser_test(test):
    """A browser sweep, at 1280 px and on a 360 px phone (the route check needs no browser)."""
    for mark in [
        *BROWSER_MARKS,
        pytest.mark.skipif(
            not CHROMIUM.exists(),
            reason=f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser`)",
        ),
        pytest.mark.parametrize(
            "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}], ids=str
        ),
    ]:
        test = mark(test)
    return test


SLUG = "pat"


def signed_in_pages(data: dict) -> dict[str, list[str]]:
    """Each route the signed-in sweep opens, with the addresses it opens for it."""
    p, a = data["prospect"], data["appointment"]
    return {
        "today": ["/"],
        "accounts:profile": ["/accounts/profile/"],
        "accounts:password-change": ["/accounts/password/"],
        "activity:log": ["/activity/"],
        "activity:add-entry": ["/activity/new/"],
        "activity:edit-entry": [f"/activity/{data['entry']}/edit/"],
        "activity:categories": ["/activity/categories/"],
        "activity:import": ["/activity/import/"],
        "routine:edit": ["/routine/"],
        "bookings:calendar": ["/calendar/", f"/calendar/?week={data['next_week']}"],
        "bookings:book": ["/calendar/book/"],
        "bookings:appointment": [
            f"/calendar/appointments/{a}/",
            f"/calendar/appointments/{data['held']}/",
        ],
        "bookings:outcome": [f"/calendar/outcome/{p}/"],
        "prospects:list": ["/prospects/", "/prospects/?stage=booked"],
        "prospects:add": ["/prospects/add/"],
        "prospects:card": [f"/prospects/{p}/"],
        "prospects:edit": [f"/prospects/{p}/edit/"],
        "prospects:merge": [
            f"/prospects/{p}/merge/",
            f"/prospects/{p}/merge/?other={data['other']}",
        ],
        "prospects:delete": [f"/prospects/{p}/delete/"],
        "prospects:import": ["/prospects/import/"],
        "prospects:sources": ["/prospects/sources/"],
        "prospects:edit-source": [f"/prospects/sources/{data['source']}/"],
        "income:list": ["/income/"],
        "booking:settings": ["/book/settings/"],
        "routine:edit-block": [f"/routine/{data['block']}/edit/"],
        "calls:queue": ["/call/"],
        "calls:scripts": ["/call/scripts/"],
        "calls:outcome": [f"/call/{p}/outcome/{w}/" for w in ("talked", "booked", "declined")],
        "insights:scorecard": [
            "/insights/",
            "/insights/?range=year",
            # A custom range that ends before it starts: the reason, and this month instead.
            "/insights/?range=custom&start=2026-03-10&end=2026-03-01",
        ],
        "insights:review": ["/insights/review/"],
        "more": ["/more/"],
        "offline": ["/offline/"],
    }


# Routes the signed-in sweep reaches by doing what a user does (uploading a file).
REACHED_BY_STEPS = {"activity:import-job", "prospects:import-job"}

SIGNED_OUT = {
    "accounts:signup": "the sign-up form, empty and with errors",
    "accounts:signup-sent": "after a sign-up",
    "accounts:signup-finish": "the mail's link: choose a password",
    "accounts:login": "empty and with a wrong password",
    "accounts:password-reset": "empty, with errors, then 429",
    "accounts:password-reset-sent": "after a reset request",
    "accounts:password-reset-confirm": "the mail's link: a new password",
    "booking:page": "each step: days, times, the form, errors, booked; the callback form",
    "booking:manage": "the manage page with its reschedule and cancel forms",
}


def test_every_route_is_visited_or_excluded_with_a_reason():
    data = dict.fromkeys(
        ("prospect", "appointment", "held", "entry", "other", "source", "block"), 1
    )
    data["next_week"] = "2026-01-05"
    visited = set(signed_in_pages(data)) | REACHED_BY_STEPS | set(SIGNED_OUT)
    assert visited & set(EXCLUDED) == set()
    assert sorted(page_routes() - visited) == []
    assert sorted(visited - page_routes()) == []


LEADS_CSV = "name,email,phone\nDana Wu,dana@example.com,+447700900123\nEli Ray,eli@example.com,\n"
TIME_CSV = (
    "start,end,category,tier,note\n"
    "2026-03-02T19:00:00+00:00,2026-03-02T19:45:00+00:00,Prospect call,income,Dana\n"
)


def _weekday_before(day: date) -> date:
    """The last Monday-to-Saturday day before `day` (the starter routine's days)."""
    day -= timedelta(days=1)
    while day.weekday() == 6:
        day -= timedelta(days=1)
    return day


@pytest.fixture
def pat(transactional_db, settings, tmp_path):
    """Pat in London with the starter routine, a lead source with spend, a prospect with a
    history (a held call, notes, a stage change, income), a call booked next week through the
    booking page (with its manage link), two weeks of time entries, an income goal, and Sam,
    whose page has no free times."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils import timezone
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from mainthing import onboarding
    from mainthing.accounts import services as account_services
    from mainthing.activity import services as activity_services
    from mainthing.bookings import managelinks, public
    from mainthing.bookings import services as booking_services
    from mainthing.bookings.models import MadeVia
    from mainthing.core import timekit
    from mainthing.insights import services as insight_services
    from mainthing.prospects import services as prospect_services
    from mainthing.routine import services as routine_services
    from mainthing.routine.models import Block
    from tests.factories import category, entry, new_prospect

    settings.MEDIA_ROOT = tmp_path / "uploads"
    now = timezone.now()
    today = timekit.local_date(now, TZ)
    user = onboarding.create_account(
        email="pat@example.com", password=PASSWORD, time_zone="Europe/London", name="Pat"
    )
    routine_services.apply_starter_template(user, today=today)
    page = public.page_for(user)
    page.slug, page.notice_minutes = SLUG, 0
    page.save()
    source = prospect_services.add_source(
        user, category=category(user, "Forum posts"), campaign="Signature"
    )
    prospect_services.add_spend(source, on=today, amount="25.00", note="Boost")
    old = prospect_services.add_source(user, category=category(user, "Video posts"), campaign="Old")
    prospect_services.edit_source(old, campaign="Old", key=old.key, archived=True)

    held_day = _weekday_before(today)
    held_at = timekit.localize(datetime.combine(held_day, time(12, 0)), TZ)
    dana = new_prospect(
        user, "Dana Wu", at=held_at - timedelta(days=3), source=source,
        email="dana@example.com", phone="+447700900123",
    )  # fmt: skip
    prospect_services.add_note(dana, "Wants to know about the starter pack.", now=held_at)
    held = booking_services.book(
        user, prospect=dana, start=held_at, now=held_at - timedelta(days=1)
    )
    booking_services.complete(held, now=held_at + timedelta(minutes=40))
    prospect_services.change_stage(dana, "presented", now=held_at + timedelta(minutes=40))
    prospect_services.set_follow_up(dana, today + timedelta(days=2))
    prospect_services.add_income(
        user, on=held_day, amount="120.00", kind="enrollment", prospect=dana
    )
    prospect_services.add_income(user, on=today, amount="15.50", kind="product", note="Samples")
    other = new_prospect(user, "Dana W.", at=held_at, phone="+447700900124", allow_duplicate=True)
    # Due today: the list and Today mark it.
    new_prospect(user, "Bo Chan", at=held_at, source=old, follow_up_on=today)

    next_monday = today + timedelta(days=7 - today.weekday())
    booked_at = timekit.localize(datetime.combine(next_monday, time(19, 0)), TZ)
    ann = new_prospect(user, "Ann Lee", at=now, email="ann@example.com", source=source)
    appointment = booking_services.book(
        user, prospect=ann, start=booked_at, now=now, made_via=MadeVia.BOOKING_PAGE
    )
    token = managelinks.issue(appointment, now=now)
    logged = entry(user, "Forum posts", held_at - timedelta(hours=3), 45, note="Signature thread")
    # Two weeks of work before today (lead generation, a call, busy work) for Insights' charts
    # and tables and the weekly review.
    for back in range(1, 15):
        day = today - timedelta(days=back)
        if day.weekday() != 6:
            morning = timekit.localize(datetime.combine(day, time(8, 0)), TZ)
            entry(user, "Video posts", morning, 60)
            entry(user, "Prospect call", morning + timedelta(hours=2), 25, prospect_name="Bo")
            entry(user, "Organizing", morning + timedelta(hours=4), 20)
    activity_services.start_timer(user, category(user, "Forum posts"), now=now, override=True)

    # A monthly income goal: the scorecard works it back, with its rates table.
    insight_services.save_goal(user, income_goal="2000.00", income_per_join="250.00")

    sam = onboarding.create_account(
        email="sam@example.com", password=PASSWORD, time_zone="Europe/London", name="Sam"
    )
    sam_page = public.page_for(sam)
    sam_page.slug = "sam"
    sam_page.save()
    return {
        "prospect": dana.pk,
        "other": other.pk,
        "appointment": appointment.pk,
        "held": held.pk,
        "entry": logged.pk,
        "source": source.pk,
        "block": Block.objects.filter(user=user).first().pk,
        "next_week": next_monday.isoformat(),
        "manage": f"/booking/{token}/",
        "signup_finish": "/accounts/signup/finish/"
        + account_services.signup_token(email="new@example.com", name="New", time_zone="UTC")
        + "/",
        "reset_confirm": (
            f"/accounts/password/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/"
            f"{default_token_generator.make_token(user)}/"
        ),
        "leads_csv": _write(tmp_path / "leads.csv", LEADS_CSV),
        "time_csv": _write(tmp_path / "entries.csv", TIME_CSV),
    }


def _write(path, text: str):
    path.write_text(text)
    return path


# The page's first focusable element is a link to its `main`.
SKIP_LINK_FIRST = """() => {
  const first = document.querySelector(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])'
  );
  return !!first && first.classList.contains("skip-link")
    && document.querySelector(first.getAttribute("href"))?.tagName === "MAIN";
}"""


class Sweep:
    """axe's critical and serious findings on each page the test opens, by a label; a page
    opened by its address must also start with the skip link."""

    def __init__(self, page) -> None:
        self.page, self.found = page, {}

    def check(self, label: str | None = None) -> None:
        label = label or self.page.url.split("://", 1)[-1].split("/", 1)[-1]
        self.found[label] = axe_serious(self.page)

    def visit(self, path: str) -> None:
        response = self.page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        self.check("/" + path.lstrip("/"))
        if not self.page.evaluate(SKIP_LINK_FIRST):
            self.found[path].append({"id": "skip-link", "impact": "ours", "nodes": ["body"]})

    def assert_clean(self) -> None:
        assert {label: v for label, v in self.found.items() if v} == {}


def sign_in(page) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("pat@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


@browser_test
def test_signed_in_pages_with_data_and_errors_pass_axe(pat, page, problems):
    from playwright.sync_api import expect

    sweep = Sweep(page)
    sign_in(page)
    for paths in signed_in_pages(pat).values():
        for path in paths:
            sweep.visit(path)

    # Uploads: each import's job page, with the file's rows.
    page.goto("/prospects/import/")
    page.get_by_label(re.compile("file", re.I)).set_input_files(pat["leads_csv"])
    page.get_by_role("button", name="Upload and choose the columns").click()
    expect(page).to_have_url(re.compile(r"/prospects/import/\d+/$"))
    sweep.check("prospects:import-job")
    page.goto("/activity/import/")
    page.get_by_label(re.compile("file", re.I)).set_input_files(pat["time_csv"])
    page.get_by_role("button", name="Check the file").click()
    expect(page).to_have_url(re.compile(r"/activity/import/\d+/$"))
    sweep.check("activity:import-job")

    # Insights with every chart's numbers open as a table, and a bar's value read out.
    page.goto("/insights/?range=quarter")
    page.locator("details.numbers summary").evaluate_all("all => all.forEach((s) => s.click())")
    expect(page.locator("details.numbers:not([open])")).to_have_count(0)
    page.locator("#panel-days rect.hit").last.click()
    expect(page.locator("#panel-days .chart-readout")).to_contain_text(" h of IGA")
    sweep.check("insights: the tables open, a bar's value read out")

    # The feed address, shown once.
    page.goto("/accounts/profile/")
    page.get_by_role("button", name="Create a feed address").click()
    expect(page).to_have_url(re.compile(r"/calendar/feed/new/$"))
    sweep.check("bookings:new-feed")

    # Forms with errors, each with its summary at the top.
    summary = page.locator("[data-error-summary]")
    page.goto("/prospects/add/")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(summary).to_be_visible()
    sweep.check("prospects:add with errors")
    page.goto("/routine/")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Add block"))
    form.locator("input[name=start]").fill("12:30")
    form.locator("input[name=end]").fill("12:45")
    form.get_by_role("button", name="Add block").click()
    expect(summary).to_be_visible()
    sweep.check("routine with errors")
    page.goto(f"/calendar/outcome/{pat['prospect']}/")
    page.locator("input[name=next_step][value=date]").check()
    page.get_by_role("button", name="Save").click()
    expect(summary).to_be_visible()
    sweep.check("outcome with errors")
    page.goto("/calendar/book/")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(summary).to_be_visible()
    sweep.check("book with errors")

    # The 404 and 400 pages.
    page.goto("/prospects/999999/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    sweep.check("404")
    page.goto("/")
    page.evaluate(
        """() => {
          const form = document.createElement("form");
          form.method = "post"; form.action = "/prospects/add/";
          const big = document.createElement("input");
          big.name = "notes"; big.value = "x".repeat(600 * 1024);
          const csrf = document.createElement("input");
          csrf.name = "csrfmiddlewaretoken";
          csrf.value = document.querySelector("[name=csrfmiddlewaretoken]").value;
          form.append(big, csrf); document.body.append(form); form.submit();
        }"""
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("That wasn't saved")
    sweep.check("400")

    sweep.assert_clean()
    origin = page.url.split("/", 3)[:3]
    problems.assert_none(
        failed_requests=[
            f"404 {'/'.join(origin)}/prospects/999999/",
            f"400 {'/'.join(origin)}/prospects/add/",
        ]
    )


@browser_test
def test_signed_out_pages_and_the_booking_steps_pass_axe(pat, page, problems):
    from playwright.sync_api import expect

    sweep = Sweep(page)
    for path in (
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/signup/sent/",
        pat["signup_finish"],
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
    ):
        sweep.visit(path)
    page.goto(pat["reset_confirm"])
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sweep.check("accounts:password-reset-confirm")

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("pat@example.com")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    sweep.check("login with errors")
    page.goto("/accounts/signup/")
    page.get_by_role("button", name="Create account").click()
    expect(summary).to_be_visible()
    sweep.check("signup with errors")

    # The booking page, step by step, as a visitor.
    sweep.visit(f"/book/{SLUG}/")
    page.locator("a.chip.day").nth(1).click()
    expect(page.locator("#times-heading")).to_be_visible()
    sweep.check("booking: a day's times")
    page.locator("a.time").first.click()
    expect(page.get_by_label("Your name")).to_be_visible()
    sweep.check("booking: the form")
    page.wait_for_timeout(3200)
    page.get_by_role("button", name="Book the call").click()
    expect(summary).to_be_visible()
    sweep.check("booking: the form with errors")
    page.get_by_label("Your name").fill("Priya Shah")
    page.get_by_label("Email").fill("priya@example.in")
    page.get_by_role("button", name="Book the call").click()
    expect(flash(page)).to_contain_text("You're booked")
    sweep.check("booking: booked (the manage page)")
    sweep.visit("/book/sam/")
    page.get_by_role("button", name="Ask for a call back").click()
    expect(summary).to_be_visible()
    sweep.check("booking: the callback form with errors")
    sweep.visit(pat["manage"])

    page.goto("/book/nobody-here/")
    sweep.check("404 signed out")
    # Reset requests until the limit answers 429.
    for _ in range(8):
        page.goto("/accounts/password/reset/")
        page.get_by_label("Email").fill("someone@example.com")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button").last.click()
        if answer.value.status == 429:
            break
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts")
    sweep.check("429")

    sweep.assert_clean()
    origin = "/".join(page.url.split("/", 3)[:3])
    problems.assert_none(
        failed_requests=[
            f"422 {origin}/book/{SLUG}/",  # the booking form with errors
            f"422 {origin}/book/sam/callback/",
            f"404 {origin}/book/nobody-here/",
            f"429 {origin}/accounts/password/reset/",
        ]
    )
