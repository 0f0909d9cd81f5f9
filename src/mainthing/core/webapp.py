"""The installable web app: what its manifest says, which static files its service worker keeps
on the phone, and the version that makes a deploy replace them."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse

# What every page of the app loads (base.html) and the offline page shows: enough to draw a
# page without the network. Other static files are fetched as usual.
SHELL = (
    "mainthing/app.css",
    "mainthing/app.js",
    "mainthing/offline.js",
    "vendor/htmx/htmx.min.js",
    "mainthing/icon.svg",
    "mainthing/icon-192.png",
)

OFFLINE_TEMPLATE = "core/offline.html"

# Where the service worker never answers for the network: the prospect's booking pages and
# manage links carry secrets in their addresses and are not the user's app.
PASS_THROUGH = ("/book/", "/booking/")

THEME_COLOR = "#0f172a"  # the top bar
BACKGROUND_COLOR = "#f8fafc"  # the page


def manifest() -> dict:
    """The web app manifest (https://www.w3.org/TR/appmanifest/): what a phone needs to install
    the app with its name and icons and open it without the browser's bars."""
    home = reverse("today")

    def icon(name: str, size: str, kind: str, purpose: str = "any") -> dict:
        return {"src": static(f"mainthing/{name}"), "sizes": size, "type": kind, "purpose": purpose}

    return {
        "id": home,
        "name": "Mainthing",
        "short_name": "Mainthing",
        "description": "Keep talking with prospects the main thing: today's calls, the timer "
        "and your prospecting time.",
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            icon("icon-192.png", "192x192", "image/png"),
            icon("icon-512.png", "512x512", "image/png"),
            icon("icon-maskable-512.png", "512x512", "image/png", "maskable"),
            icon("icon.svg", "any", "image/svg+xml"),
        ],
    }


def shell_urls() -> list[str]:
    """The addresses the service worker stores: the shell's static files (with their content
    hash in the name once collected) and the offline page."""
    return [static(name) for name in SHELL] + [reverse("offline")]


def version(parts: list[tuple[str, bytes]]) -> str:
    """A digest of the stored addresses and what they hold: any change makes a new service
    worker, which replaces the phone's copies (a deploy reaches installed apps)."""
    digest = hashlib.sha256()
    for url, content in parts:
        digest.update(url.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()[:16]


def _read(name: str) -> bytes:
    path = finders.find(name)
    return Path(path).read_bytes() if path else b""


@functools.cache
def _shell_version(urls: tuple[str, ...]) -> str:
    parts = [(url, _read(name)) for url, name in zip(urls, SHELL, strict=True)]
    offline = get_template(OFFLINE_TEMPLATE).template.source.encode()
    return version([*parts, (reverse("offline"), offline)])


def shell_version() -> str:
    """`version` of the shell as served now; computed once per process (a deploy restarts it),
    or on every call while DEBUG, where files change under a running server."""
    urls = tuple(static(name) for name in SHELL)
    if settings.DEBUG:
        return _shell_version.__wrapped__(urls)
    return _shell_version(urls)
