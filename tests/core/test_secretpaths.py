"""Secrets in URLs never reach a log line: the one list of secret URL patterns covers every
URL that takes a token, and the filter masks what Django logs."""

import logging

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mainthing.core.secretpaths import MaskSecrets, mask

SECRET = "s3cretT0ken-0123456789abcdef"


def _named_patterns(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern.converters


def test_every_url_that_takes_a_token_is_masked():
    urls = {
        name: reverse(name, kwargs={key: "MQ" if key == "uidb64" else SECRET for key in params})
        for name, params in _named_patterns(get_resolver())
        if any("token" in key or "secret" in key for key in params)
    }

    assert {name: mask(f"GET {url} HTTP/1.1") for name, url in urls.items()} == {
        "feed": "GET /feeds/[token].ics HTTP/1.1",
        "accounts:password-reset-confirm": "GET /accounts/password/reset/MQ/[token]/ HTTP/1.1",
        "accounts:signup-finish": "GET /accounts/signup/finish/[token]/ HTTP/1.1",
        "booking:manage": "GET /booking/[token]/ HTTP/1.1",
        "booking:event": "GET /booking/[token]/event.ics HTTP/1.1",
        "booking:reschedule": "GET /booking/[token]/reschedule/ HTTP/1.1",
        "booking:cancel": "GET /booking/[token]/cancel/ HTTP/1.1",
    }


def test_mask_leaves_urls_without_secrets_alone():
    lines = [
        "GET /accounts/password/reset/ HTTP/1.1",
        "GET /accounts/password/reset/sent/ HTTP/1.1",
        "POST /accounts/password/reset/MQ/set-password/ HTTP/1.1",
        "GET /prospects/12/ HTTP/1.1",
    ]
    assert [mask(line) for line in lines] == lines


def test_djangos_log_lines_go_through_the_mask():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/feeds/{SECRET}.ics",),
        None,
    )
    handlers = logging.getLogger().handlers

    assert MaskSecrets().filter(record) is True
    assert record.getMessage() == "Not Found: /feeds/[token].ics"
    assert any(isinstance(f, MaskSecrets) for h in handlers for f in h.filters)
