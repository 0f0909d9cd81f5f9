"""Mainthing on a phone (issue 11, "Phone-first"): every route at 360 by 740 with a realistic
account, the bottom tab bar, and the calendar as a day list of free times (a week grid on a
desktop, whose free slots are named by their time and leave the blocks' labels readable).

The route sweep takes its routes from Django's URL resolver, so a new route can't be forgotten:
a route without arguments is visited as it is; one that needs an object gets it from the
`account` fixture (`ARGUMENTS`); one left out must say why in `EXCLUDED`, and the test fails on
any route that is in neither.

What "a target" is, measured on every visited page (`TARGETS_JS`): every visible link,
button, input, select, textarea, summary and element with a tabindex or role=button, outside
SVG charts (the week grid is not shown on a phone). Its box must be at least 44 by 44 CSS px. A
checkbox or radio is measured by its label when it has one: tapping the label ticks the box,
so the label is the target. The one exception is WCAG 2.5.8's "inline" one: a link in a line
of text (its parent element holds words outside links and buttons: "Next call: Ann at 19:00 in
2 hours") is sized by the line it sits in, as in any text; a link alone in its paragraph, list
item or table cell, or among other links only ("Calendar · Book a call"), is a target.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    TZ,
    axe_violations,
    flash,
    horizontal_overflow,
    sign_up,
)
from tests.browser.routes import ACTION, EXCLUDED, EXCLUDED_PREFIX, routes

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

pytestmark = BROWSER_MARKS

PHONE_360 = {"width": 360, "height": 740}
EMAIL = "jordan@example.com"
PASSWORD = "a long phone password 7"
LONG_NAME = "Maximiliane Alexandra Wolfeschlegelsteinhausen-Bergerdorff"
LONG_EMAIL = "maximiliane.alexandra.wolfeschlegelsteinhausen@example-company-mail.com"
LONG_CAMPAIGN = "Signature under every post in the Network Marketing Pros forum, 2026 edition"
LONG_NOTE = "Enrollment through the three-way call with Sam; first order of the premium pack"

# Pages a visitor sees signed out (the booking pages work either way: they are visited signed
# in, where a marketer checks them).
SIGNED_OUT = {
    "accounts:signup",
    "accounts:signup-sent",
    "accounts:signup-finish",
    "accounts:login",
    "accounts:password-reset",
    "accounts:password-reset-sent",
    "accounts:password-reset-confirm",
}

TARGETS_JS = """() => {
  const SELECTOR = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, '
    + '[role="button"], [tabindex]:not([tabindex="-1"])';
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && getComputedStyle(el).visibility !== "hidden";
  };
  // A link in a line of text: its parent holds words outside links and buttons (WCAG 2.5.8's
  // inline exception).
  const inSentence = (el) => {
    if (el.tagName !== "A" || el.classList.contains("button")) return false;
    const walker = document.createTreeWalker(el.parentElement, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.parentElement.closest("a, button") && /[\\p{L}\\p{N}]/u.test(node.textContent)) {
        return true;
      }
    }
    return false;
  };
  const target = (el) => {
    if (el.matches('input[type="checkbox"], input[type="radio"]')) {
      const label = el.closest("label")
        || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) return label;
    }
    return el;
  };
  const small = [];
  for (const el of document.querySelectorAll(SELECTOR)) {
    if (el.closest("svg") || !shown(el) || inSentence(el)) continue;
    const box = target(el).getBoundingClientRect();
    if (box.width < 44 || box.height < 44) {
      const name = (el.getAttribute("aria-label") || el.textContent || el.name || "").trim();
      small.push(`${el.tagName.toLowerCase()} “${name.slice(0, 40)}” `
        + `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""

# Elements inside the page that scroll sideways themselves (a table in a scroll box is still
# sideways scrolling for the thumb). One is allowed: the routine's week grid, a picture of the
# blocks its page lists below it as text, pans inside its frame (the calendar's grid gives way
# to a day list on a phone instead).
SIDEWAYS_JS = """() => [...document.querySelectorAll("body *:not(figure.week)")]
  .filter((el) => el.scrollWidth > el.clientWidth + 1
    && ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
  .map((el) => [el.tagName.toLowerCase(), ...el.classList].join("."))"""


def csv_upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def account(transactional_db, settings, tmp_path):
    """The demo account with its two weeks, plus long names, an income goal and one of each
    object a route takes: (the user, {view name: its URL arguments})."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils import timezone
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from mainthing.accounts import services as account_services
    from mainthing.activity import importing as activity_importing
    from mainthing.activity.models import Activity, Category
    from mainthing.bookings import managelinks
    from mainthing.bookings.models import Appointment, BookingPage
    from mainthing.core.enums import Tier
    from mainthing.demo import create_demo_account
    from mainthing.insights import services as insight_services
    from mainthing.prospects import importing as lead_importing
    from mainthing.prospects import services as prospect_services
    from mainthing.prospects.contacts import clean_contact
    from mainthing.prospects.models import Prospect
    from mainthing.routine.models import Block, BlockException

    settings.MEDIA_ROOT = tmp_path / "uploads"
    now = timezone.now()
    user = create_demo_account(email=EMAIL, password=PASSWORD, days=14, now=now)
    leadgen = Category.objects.filter(user=user, tier=Tier.LEADGEN).first()
    source = prospect_services.add_source(user, category=leadgen, campaign=LONG_CAMPAIGN)
    prospect_services.add_spend(source, on=now.date(), amount="120.00", note=LONG_NOTE)
    contact = clean_contact(
        user,
        name=LONG_NAME,
        email=LONG_EMAIL,
        phone="+44 7400 123456",
        tags="premium-pack-interest, three-way-call-candidate",
        notes=LONG_NOTE,
    )
    prospect = prospect_services.add_prospect(user, contact, now=now, source=source)
    other = Prospect.objects.filter(user=user).exclude(pk=prospect.pk).first()
    prospect_services.add_income(
        user, on=now.date(), kind="enrollment", amount="249.00", prospect=prospect, note=LONG_NOTE
    )
    insight_services.save_goal(user, income_goal="2500.00", income_per_join="180.00")
    block = Block.objects.filter(user=user, tier=Tier.INCOME).first()
    BlockException.objects.create(block=block, date=now.date() + timedelta(days=2), skip=True)
    appointment = Appointment.objects.filter(user=user, status="scheduled").first()
    entry = Activity.objects.filter(user=user).first()
    time_job = activity_importing.save_upload(
        user,
        csv_upload(
            "toggl-export-november-2026-all-projects.csv",
            "start,end,category,note,prospect\n"
            "2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,Webinars on the compensation plan,"
            f"{LONG_NOTE},\n",
        ),
        fmt="csv",
    )
    activity_importing.validate_job(time_job)
    lead_job = lead_importing.save_upload(
        user,
        csv_upload(
            "leads-from-the-network-marketing-pros-forum.csv",
            "Full name,Email address,Mobile phone,Where they came from,Notes\n"
            f"{LONG_NAME},{LONG_EMAIL},+44 7400 654321,{LONG_CAMPAIGN},{LONG_NOTE}\n"
            "Ann Lee,ann@example.com,+1 312 555 0100,Facebook group,Asked about the products\n",
        ),
    )
    slug = BookingPage.objects.get(user=user).slug
    arguments = {
        "accounts:signup-finish": {
            "token": account_services.signup_token(
                email="new@example.com", name=LONG_NAME, time_zone="Europe/London"
            )
        },
        "accounts:password-reset-confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
        "activity:edit-entry": {"pk": entry.pk},
        "activity:import-job": {"pk": time_job.pk},
        "bookings:appointment": {"pk": appointment.pk},
        "bookings:outcome": {"prospect_id": prospect.pk},
        "prospects:card": {"pk": prospect.pk},
        "prospects:edit": {"pk": prospect.pk},
        "prospects:merge": {"pk": other.pk},
        "prospects:delete": {"pk": prospect.pk},
        "prospects:import-job": {"pk": lead_job.pk},
        "prospects:edit-source": {"pk": source.pk},
        "routine:edit-block": {"pk": block.pk},
        "calls:outcome": {"pk": prospect.pk, "word": "talked"},
        "booking:page": {"slug": slug},
        "booking:manage": {"token": managelinks.issue(appointment, now=now)},
    }
    return user, arguments


def pages_to_visit(arguments: dict) -> tuple[list[str], list[str], list[str]]:
    """(signed-out paths, signed-in paths, routes neither visited nor excluded)."""
    from django.urls import reverse

    signed_out, signed_in, unknown = [], [], []
    for name, route, params in routes():
        if name in EXCLUDED or route.startswith(EXCLUDED_PREFIX):
            continue
        if params and name not in arguments:
            unknown.append(f"{name} ({route}) needs an object: add it to `account`")
            continue
        path = reverse(name, kwargs=arguments.get(name, {}))
        (signed_out if name in SIGNED_OUT else signed_in).append(path)
    return signed_out, signed_in, unknown


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_excluded_actions_answer_a_get_with_405(account, client):
    """An "action" exclusion is a promise that the route has no page to check."""
    from django.urls import reverse

    user, _arguments = account
    client.force_login(user)
    kwargs_for = {"token": "x" * 43, "slug": "pat", "pk": 1, "prospect_id": 1, "word": "skip"}
    answers = {}
    for name, _route, params in routes():
        if EXCLUDED.get(name) == ACTION:
            path = reverse(name, kwargs={p: kwargs_for[p] for p in params})
            answers[name] = client.get(path).status_code
    assert answers == {name: 405 for name, reason in EXCLUDED.items() if reason == ACTION}


@pytest.mark.parametrize("viewport", [PHONE_360], ids=["360"])
def test_every_route_fits_a_360_px_phone_with_44_px_targets(account, page: Page, problems):
    _user, arguments = account
    signed_out, signed_in, unknown = pages_to_visit(arguments)
    assert unknown == []

    statuses, overflow, sideways, small = {}, {}, {}, {}

    def check(path: str) -> None:
        response = page.goto(path)
        statuses[path] = response.status
        wide = horizontal_overflow(page)
        if wide["scroll"] > PHONE_360["width"]:
            overflow[path] = wide
        if scrollers := page.evaluate(SIDEWAYS_JS):
            sideways[path] = scrollers
        if targets := page.evaluate(TARGETS_JS):
            small[path] = targets

    for path in signed_out:
        check(path)
    sign_in(page)
    for path in signed_in:
        check(path)

    assert len(signed_in) >= 25  # the resolver was read: no silent empty sweep
    assert statuses == dict.fromkeys(signed_out + signed_in, 200)
    assert overflow == {}
    assert sideways == {}
    assert small == {}
    problems.assert_none()


TABS = ["Today", "Call", "Calendar", "Prospects", "More"]
DASH = "\u2013"  # between the times of a range, as the pages print it


def tab_bar(page: Page):
    return page.get_by_role("navigation", name="Tabs")


def use_starter_routine(page: Page) -> None:
    page.goto("/routine/")
    page.get_by_role("button", name="Use the starter routine").click()
    expect(flash(page)).to_have_count(1)


@pytest.mark.parametrize("viewport", [PHONE_360], ids=["360"])
def test_phone_has_a_tab_bar_of_44_px_tabs_that_move_between_pages(page: Page, problems):
    sign_up(page)
    bar = tab_bar(page)
    expect(bar.get_by_role("link")).to_have_text(TABS)
    expect(page.locator("nav.nav")).to_be_hidden()
    boxes = [link.bounding_box() for link in bar.get_by_role("link").all()]
    assert [b["width"] >= 44 and b["height"] >= 44 for b in boxes] == [True] * 5
    # The bar sits at the bottom of the screen, and it is the same on every page.
    assert boxes[0]["y"] + boxes[0]["height"] == PHONE_360["height"]
    expect(bar.locator("[aria-current=page]")).to_have_text("Today")

    bar.get_by_role("link", name="Calendar").click()
    expect(page).to_have_url(re.compile(r"/calendar/$"))
    expect(bar.locator("[aria-current=page]")).to_have_text("Calendar")
    bar.get_by_role("link", name="Prospects").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prospects")
    expect(bar.locator("[aria-current=page]")).to_have_text("Prospects")
    bar.get_by_role("link", name="More").click()
    expect(bar.locator("[aria-current=page]")).to_have_text("More")
    # By its name: Insights' hint on More mentions lead sources too.
    page.get_by_role("link", name=re.compile("^Lead sources")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lead sources")
    expect(bar.locator("[aria-current=page]")).to_have_text("More")
    expect(bar.get_by_role("link", name="Call")).to_have_attribute("href", "/call/")
    bar.get_by_role("link", name="More").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(tab_bar(page)).to_have_count(0)
    problems.assert_none()


def test_desktop_keeps_the_top_navigation_and_no_tab_bar(page: Page, problems):
    sign_up(page)
    expect(tab_bar(page)).to_be_hidden()
    top = page.get_by_role("navigation", name="Main")
    expect(top).to_be_visible()
    expect(top.get_by_role("link", name="Call", exact=True)).to_have_attribute("href", "/call/")
    top.get_by_role("link", name="Income").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Income")
    problems.assert_none()


def next_monday() -> datetime:
    """Next week's Monday in the browser's zone: the starter routine's blocks, all ahead."""
    today = datetime.now(TZ).date()
    return today + timedelta(days=7 - today.weekday())


@pytest.mark.parametrize("viewport", [PHONE_360], ids=["360"])
def test_calendar_on_a_phone_books_a_call_by_tapping_a_free_time(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    monday = next_monday()
    tab_bar(page).get_by_role("link", name="Calendar").click()
    expect(page.locator("svg.week-grid")).to_be_hidden()
    # Day by day to next Monday, with the "next day" link.
    heading = page.locator(".day-title")
    while not heading.text_content().startswith(f"{monday:%A} {monday.day} "):
        page.locator(".day-pager a[rel=next]").click()
    day = page.locator(".day-list li")
    expect(day).to_have_text(
        [
            f"09:00{DASH}10:00 Lead generation",
            f"12:00{DASH}13:00 Prospecting: lunch calls",
            *("Book 12:00", "Book 12:30"),
            f"19:00{DASH}21:00 Prospecting: evening calls",
            *("Book 19:00", "Book 19:30", "Book 20:00", "Book 20:30"),
        ]
    )
    button = page.get_by_role("link", name="Book 19:30")
    box = button.bounding_box()
    assert (box["width"] > 300, box["height"] >= 44) == (True, True)  # full width, thumb-sized

    button.click()
    page.get_by_role("combobox", name="Prospect").fill("Ann Lee")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(flash(page)).to_have_text(f"Booked Ann Lee on {monday:%a %d %b} at 19:30.")

    page.goto(f"/calendar/?day={monday:%Y-%m-%d}")
    expect(day.nth(6)).to_have_text(f"19:30{DASH}20:00 Ann Lee Scheduled Card")
    expect(page.get_by_role("link", name="Book 19:30")).to_have_count(0)
    overflow = horizontal_overflow(page)
    assert overflow["scroll"] <= overflow["client"], overflow
    assert axe_violations(page) == []
    problems.assert_none()


def test_week_grid_free_slots_are_named_by_their_time_and_leave_block_labels_clear(
    page: Page, problems
):
    sign_up(page)
    use_starter_routine(page)
    monday = next_monday()
    page.goto(f"/calendar/?week={monday:%Y-%m-%d}")
    slots = page.locator("svg.week-grid a.free-slot")
    expect(slots).to_have_count(6 * 6)  # Mon-Sat, 12:00-13:00 and 19:00-21:00
    expect(page.get_by_role("link", name=f"Book Mon {monday.day} {monday:%b} 19:30")).to_have_count(
        1
    )
    names = slots.evaluate_all("links => links.map((a) => a.getAttribute('aria-label'))")
    shown = slots.evaluate_all("links => links.map((a) => a.textContent)")
    assert [name[-5:] for name in names] == shown  # each shows the time its name says
    assert all(re.fullmatch(r"\d\d:\d\d", time) for time in shown)

    labels = page.locator("svg.week-grid text.box-label").all()
    label_boxes = [label.bounding_box() for label in labels]
    slot_boxes = [slot.bounding_box() for slot in slots.all()]

    def overlap(a, b) -> bool:
        return (
            a["x"] < b["x"] + b["width"]
            and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"]
            and b["y"] < a["y"] + a["height"]
        )

    assert [(s, lb) for s in slot_boxes for lb in label_boxes if overlap(s, lb)] == []
    assert min(box["height"] for box in slot_boxes) >= 24  # WCAG 2.5.8's minimum on a desktop
    assert [v for v in axe_violations(page) if v["id"] == "nested-interactive"] == []
    assert axe_violations(page) == []
    problems.assert_none()
