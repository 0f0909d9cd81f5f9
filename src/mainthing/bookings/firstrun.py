"""The first-run checklist on Today: five steps that take a new account to its first booked
call, each ticked off by what the account really holds, never by a page visited.

- Prospecting times: an `income` block exists.
- A lead source: a source other than "Unknown" exists (Unknown is made with every account).
- Prospects: one exists, added by hand, imported or booked.
- The booking link shared: the user said so ("I've shared it", stored on the user), or the
  page has taken a booking or a call-back request, which proves it. Copying the link or
  opening the settings page proves nothing: people copy to look at it.
- The calendar feed: its address exists. The address is shown once, when it is made, so a
  feed token means the user has seen it; a fetch only follows.

Read in one query (EXISTS per step, on the user's row); none at all once the user hid the list.
Sits in bookings because Today lives here and every step reads an app at or below it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse

from mainthing.accounts.models import User
from mainthing.core.enums import Tier
from mainthing.prospects.models import LeadSource, Prospect
from mainthing.routine.models import Block

from .models import Appointment, CallbackRequest, FeedToken, MadeVia


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    why: str
    url: str
    action: str
    done: bool
    # A second way to do the step (importing a list instead of adding by hand).
    other_url: str = ""
    other_action: str = ""


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)


def _facts(user: User) -> dict[str, bool]:
    mine = {"user": OuterRef("pk")}
    return (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_blocks=Exists(Block.objects.filter(**mine, tier=Tier.INCOME)),
            has_source=Exists(LeadSource.objects.filter(**mine, category__isnull=False)),
            has_prospect=Exists(Prospect.objects.filter(**mine)),
            has_page_booking=Exists(
                Appointment.objects.filter(**mine, made_via=MadeVia.BOOKING_PAGE)
            ),
            has_callback=Exists(CallbackRequest.objects.filter(**mine)),
            has_feed=Exists(FeedToken.objects.filter(**mine)),
        )
        .values(
            "has_blocks",
            "has_source",
            "has_prospect",
            "has_page_booking",
            "has_callback",
            "has_feed",
        )
        .get()
    )


def checklist(user: User) -> Checklist:
    """Every step with whether it is done, in the order a new account takes them."""
    facts = _facts(user)
    shared = bool(user.booking_link_shared_at) or facts["has_page_booking"] or facts["has_callback"]
    return Checklist(
        [
            Step(
                "routine",
                "Set your prospecting times",
                "The same hours every day, kept for talking with prospects.",
                reverse("routine:edit"),
                "Set prospecting times",
                facts["has_blocks"],
            ),
            Step(
                "source",
                "Add a lead source",
                "Where your leads come from: a forum, a video, an ad, with its own booking link.",
                reverse("prospects:sources"),
                "Add a lead source",
                facts["has_source"],
            ),
            Step(
                "prospects",
                "Add or import prospects",
                "Start with the people you already know, or import a list.",
                reverse("prospects:add"),
                "Add a prospect",
                facts["has_prospect"],
                reverse("prospects:import"),
                "Import a list",
            ),
            Step(
                "share",
                "Share your booking link",
                "Prospects book themselves into your prospecting times.",
                reverse("booking:settings"),
                "Get your booking link",
                shared,
            ),
            Step(
                "feed",
                "Subscribe to the calendar feed",
                "See your blocks and calls in the calendar on your phone.",
                reverse("accounts:profile") + "#calendar-feed",
                "Create a feed address",
                facts["has_feed"],
            ),
        ]
    )


def checklist_for_today(user: User) -> Checklist | None:
    """The checklist Today shows, or None when the user hid it (no query) or did every step."""
    if user.checklist_hidden_at is not None:
        return None
    found = checklist(user)
    return None if found.complete else found
