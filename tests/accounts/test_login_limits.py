"""The login lockout policy (docs/security.md): only failures spend, per account and address,
per account from anywhere unless the browser is a known device, per address for spraying."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

ATTACKER = "203.0.113.66"
OWNER_HOME = "198.51.100.7"
WRONG = "wrong-pass-1"


def sign_in(client: Client, password: str, email: str = "owner@example.com"):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def outcome(response) -> tuple[int, str]:
    """(status, where it went) for a login: 302 and "/" when signed in."""
    return response.status_code, response.get("Location", "")


def known_device(address: str) -> Client:
    """A browser at `address` that signed in as the owner once, then signed out."""
    client = Client(REMOTE_ADDR=address)
    assert outcome(sign_in(client, PASSWORD)) == (302, "/")
    client.post(reverse("accounts:logout"))
    assert device_cookie(client)
    return client


def device_cookie(client: Client) -> str:
    cookie = client.cookies.get("mainthing_device")
    return cookie.value if cookie else ""


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_from_another(owner):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(15):
        sign_in(attacker, WRONG)

    owner_browser = Client(REMOTE_ADDR=OWNER_HOME)  # never signed in here before
    assert outcome(sign_in(owner_browser, PASSWORD)) == (302, "/")


def test_a_known_device_signs_in_from_the_attackers_own_address(owner):
    owner_browser = known_device(ATTACKER)  # the same office network, say
    attacker = Client(REMOTE_ADDR=ATTACKER)
    statuses = [sign_in(attacker, WRONG).status_code for _ in range(25)]

    assert (statuses[:10], set(statuses[10:])) == ([200] * 10, {429})
    assert outcome(sign_in(owner_browser, PASSWORD)) == (302, "/")


def test_brute_force_from_one_address_gets_429_after_ten_failures(owner):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    statuses = [sign_in(attacker, WRONG).status_code for _ in range(10)]
    blocked = sign_in(attacker, PASSWORD)  # even the right password: no more guesses from here

    assert (statuses, blocked.status_code) == ([200] * 10, 429)
    assert 0 < int(blocked["Retry-After"]) <= 3600
    assert "Too many wrong passwords for this account." in blocked.content.decode()


def test_the_per_account_limit_holds_across_many_addresses_but_not_for_a_known_device(owner):
    owner_browser = known_device(OWNER_HOME)
    for n in range(100):
        assert sign_in(Client(REMOTE_ADDR=f"192.0.2.{n}"), WRONG).status_code == 200

    fresh_address = sign_in(Client(REMOTE_ADDR="192.0.2.200"), PASSWORD)
    assert fresh_address.status_code == 429
    assert outcome(sign_in(owner_browser, PASSWORD)) == (302, "/")


def test_one_address_spraying_many_accounts_is_stopped(db):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    statuses = [sign_in(attacker, WRONG, f"user{n}@example.com").status_code for n in range(21)]

    assert (statuses[:20], statuses[20]) == ([200] * 20, 429)


def test_successful_logins_spend_nothing(owner):
    browser = Client(REMOTE_ADDR=OWNER_HOME)
    results = []
    for _ in range(30):
        results.append(outcome(sign_in(browser, PASSWORD)))
        browser.post(reverse("accounts:logout"))
        browser.cookies.pop("mainthing_device", None)  # not even as a known device

    assert results == [(302, "/")] * 30


def test_a_successful_login_forgets_the_typos_made_before_it(owner):
    browser = Client(REMOTE_ADDR=OWNER_HOME)
    for _ in range(9):
        sign_in(browser, WRONG)
    sign_in(browser, PASSWORD)
    browser.post(reverse("accounts:logout"))
    browser.cookies.pop("mainthing_device", None)

    statuses = [sign_in(browser, WRONG).status_code for _ in range(9)]
    assert statuses == [200] * 9


def test_failures_refill_within_the_hour(owner, frozen):
    from datetime import UTC, datetime

    frozen.move_to(datetime(2026, 6, 10, 9, 0, tzinfo=UTC))
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(10):
        sign_in(attacker, WRONG)
    assert sign_in(attacker, WRONG).status_code == 429

    frozen.shift(timedelta(hours=1))
    assert sign_in(attacker, WRONG).status_code == 200


def test_the_known_device_cookie_is_httponly_lax_and_lasts_a_year(owner):
    browser = Client(REMOTE_ADDR=OWNER_HOME)
    sign_in(browser, PASSWORD)
    cookie = browser.cookies["mainthing_device"]

    assert (cookie["httponly"], cookie["samesite"], cookie["secure"], cookie["path"]) == (
        True,
        "Lax",
        "",
        "/accounts/",
    )
    assert cookie["max-age"] == 365 * 86400


def test_the_known_device_cookie_is_secure_on_https(owner, settings):
    settings.SESSION_COOKIE_SECURE = True
    browser = Client(REMOTE_ADDR=OWNER_HOME)
    sign_in(browser, PASSWORD)

    assert browser.cookies["mainthing_device"]["secure"] is True


def test_a_known_device_stops_being_known_when_the_password_changes(owner):
    owner_browser = known_device(OWNER_HOME)
    owner.set_password("a whole new passphrase")
    owner.save()
    for n in range(100):
        sign_in(Client(REMOTE_ADDR=f"192.0.2.{n}"), WRONG)

    assert sign_in(owner_browser, "a whole new passphrase").status_code == 429


@pytest.mark.parametrize(
    "cookie",
    ["", "garbage", "eyJ1IjoxfQ:1abc:forged-signature"],
)
def test_a_forged_device_cookie_is_no_known_device(owner, cookie):
    browser = Client(REMOTE_ADDR=OWNER_HOME)
    browser.cookies["mainthing_device"] = cookie
    request = browser.get(reverse("accounts:login")).wsgi_request
    from mainthing.accounts import devices

    assert devices.recognise_login(request, "owner@example.com") is None


def test_a_device_cookie_of_another_account_is_no_known_device_of_this_one(owner, other_user):
    browser = known_device(OWNER_HOME)
    request = browser.get(reverse("accounts:login")).wsgi_request
    from mainthing.accounts import devices

    assert (
        bool(devices.recognise_login(request, "owner@example.com")),
        devices.recognise_login(request, "other@example.com"),
    ) == (True, None)


def test_a_known_device_has_its_own_limit_for_wrong_passwords(owner):
    owner_browser = known_device(OWNER_HOME)
    statuses = [sign_in(owner_browser, WRONG).status_code for _ in range(11)]

    assert (statuses[:10], statuses[10]) == ([200] * 10, 429)
