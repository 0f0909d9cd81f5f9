"""`mainthing status` names the user's public booking page; `--json` gives it as `booking_url`."""

import json

from mainthing.bookings.models import BookingPage
from tests.cli.conftest import run


def test_status_json_gives_the_booking_page_url(owner, capsys, settings):
    settings.BASE_URL = "https://plan.example.com"
    BookingPage.objects.create(user=owner, slug="ann-lee")

    code, out, _ = run(capsys, "status", "--json")

    assert (code, json.loads(out)["booking_url"]) == (0, "https://plan.example.com/book/ann-lee/")


def test_status_makes_the_page_on_first_use_and_prints_its_address(owner, capsys):
    owner.name = "Ann Lee"
    owner.save()

    code, out, _ = run(capsys, "status")

    assert (code, out.splitlines()[-1]) == (0, "Booking page: http://127.0.0.1:8000/book/ann-lee/")
    assert BookingPage.objects.get(user=owner).slug == "ann-lee"


def test_status_says_when_the_page_is_switched_off(owner, capsys):
    BookingPage.objects.create(user=owner, slug="ann-lee", enabled=False)

    code, out, _ = run(capsys, "status")

    assert (code, out.splitlines()[-1]) == (
        0,
        "Booking page: http://127.0.0.1:8000/book/ann-lee/ (switched off)",
    )
