"""The client address every rate limit counts: X-Forwarded-For only through trusted proxies."""

import ipaddress

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from mainthing.core.ratelimit import client_ip
from tests.core.test_settings import load_settings

PROXY = "10.0.0.2"


def address(remote: str, forwarded: str | None = None) -> str:
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1"))


def test_without_trusted_proxies_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = ()
    assert address(PROXY, "198.51.100.7") == PROXY


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        (PROXY, "198.51.100.7", "198.51.100.7"),
        # The client wrote the leftmost entries itself; the proxy appended the real address.
        (PROXY, "1.1.1.1, 6.6.6.6, 198.51.100.7", "198.51.100.7"),
        # Two trusted proxies in a row (a load balancer, then nginx).
        (PROXY, "198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (PROXY, "198.51.100.7:5123", "198.51.100.7"),
        ("::1", "2001:db8::1", "2001:db8::1"),
        (PROXY, "[2001:db8::1]:443", "2001:db8::1"),
        # Garbage can only come from the client: the proxy's own peer is what is known.
        (PROXY, "not-an-address", PROXY),
        (PROXY, "198.51.100.7, not-an-address, 10.0.0.9", "10.0.0.9"),
        (PROXY, "", PROXY),
        # A request that reached the app directly, not through the proxy: its header is a lie.
        ("203.0.113.66", "198.51.100.7", "203.0.113.66"),
    ],
)
def test_forwarded_for_is_read_from_the_right_through_trusted_proxies(
    behind_proxy, remote, forwarded, client
):
    assert address(remote, forwarded) == client


def test_behind_the_proxy_one_visitors_signups_do_not_limit_another(behind_proxy, owner):
    first = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    statuses = [
        first.post(
            reverse("accounts:signup"), {"email": f"u{n}@example.com", "time_zone": "UTC"}
        ).status_code
        for n in range(6)
    ]
    second = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8")
    response = second.post(
        reverse("accounts:signup"), {"email": "late@example.com", "time_zone": "UTC"}
    )

    assert (statuses, response.status_code) == ([302] * 5 + [429], 302)


def test_a_forged_forwarded_for_does_not_dodge_the_login_limit(owner, settings):
    settings.TRUSTED_PROXIES = ()
    statuses = [
        Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        .post(reverse("accounts:login"), {"username": "owner@example.com", "password": "nope-1"})
        .status_code
        for n in range(11)
    ]

    assert statuses == [200] * 10 + [429]


def test_trusted_proxies_setting_reads_addresses_and_networks(tmp_path):
    result = load_settings(tmp_path, MAINTHING_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8,::1")
    assert result.returncode == 0, result.stderr


def test_a_bad_trusted_proxy_stops_start_up_naming_the_variable(tmp_path):
    result = load_settings(tmp_path, MAINTHING_TRUSTED_PROXIES="127.0.0.1,proxy.internal")
    assert result.returncode != 0
    assert (
        "MAINTHING_TRUSTED_PROXIES must be comma-separated proxy addresses or networks "
        "(such as 127.0.0.1,10.0.0.0/8); got 'proxy.internal'."
    ) in result.stderr
