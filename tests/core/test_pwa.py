"""The installable web app: its manifest, icons, service worker, offline page and the content
security policy that lets them load."""

import importlib.util
import json
import re
import struct
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse

from mainthing.core import webapp

ROOT = Path(__file__).resolve().parents[2]


def png_size(path: str) -> tuple[int, int]:
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_is_served_as_a_manifest_with_what_chromium_needs_to_install(anon_client):
    response = anon_client.get("/manifest.webmanifest")
    manifest = json.loads(response.content)
    assert (response.status_code, response["Content-Type"]) == (200, "application/manifest+json")
    picked = {k: manifest[k] for k in ("name", "short_name", "start_url", "scope", "display")}
    assert picked == {
        "name": "Mainthing",
        "short_name": "Mainthing",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
    }
    assert (manifest["theme_color"], manifest["background_color"]) == ("#0f172a", "#f8fafc")
    assert [(i["src"], i["sizes"], i["type"], i["purpose"]) for i in manifest["icons"]] == [
        ("/static/mainthing/icon-192.png", "192x192", "image/png", "any"),
        ("/static/mainthing/icon-512.png", "512x512", "image/png", "any"),
        ("/static/mainthing/icon-maskable-512.png", "512x512", "image/png", "maskable"),
        ("/static/mainthing/icon.svg", "any", "image/svg+xml", "any"),
    ]


def test_manifest_icons_exist_at_the_sizes_it_names():
    for icon in webapp.manifest()["icons"]:
        name = icon["src"].removeprefix("/static/")
        path = finders.find(name)
        assert path is not None, name
        if icon["type"] == "image/png":
            width, height = icon["sizes"].split("x")
            assert png_size(path) == (int(width), int(height))


def test_committed_icons_are_what_the_icon_script_draws():
    spec = importlib.util.spec_from_file_location("icons", ROOT / "scripts" / "icons.py")
    icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(icons)
    drawn = icons.png(192, icons.draw(192))
    assert drawn == Path(finders.find("mainthing/icon-192.png")).read_bytes()


def test_every_page_links_the_manifest_and_the_script_that_registers_the_worker(owner_client):
    html = owner_client.get(reverse("today")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    script = '<script src="/static/mainthing/offline.js" data-service-worker="/sw.js"'
    assert script in html


def test_service_worker_is_served_from_the_root_uncached_as_javascript(anon_client):
    response = anon_client.get("/sw.js")
    assert (
        response.status_code,
        response["Content-Type"],
        response["Service-Worker-Allowed"],
    ) == (200, "application/javascript; charset=utf-8", "/")
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_service_worker_stores_the_shell_and_the_offline_page_and_passes_secrets_by():
    from django.test import Client

    body = Client().get("/sw.js").content.decode()
    config = json.loads(re.search(r"^var CONFIG = (.*);$", body, re.M).group(1))
    assert config == {
        "version": webapp.shell_version(),
        "shell": [
            "/static/mainthing/app.css",
            "/static/mainthing/app.js",
            "/static/mainthing/offline.js",
            "/static/vendor/htmx/htmx.min.js",
            "/static/mainthing/icon.svg",
            "/static/mainthing/icon-192.png",
            "/offline/",
        ],
        "offline": "/offline/",
        "passThrough": ["/book/", "/booking/"],
    }
    # Only GETs are answered by the worker; pages are never put in its cache.
    assert 'if (request.method !== "GET") return;' in body
    assert body.count("cache.addAll(") == 1
    assert ".put(" not in body


def test_shell_files_all_exist():
    assert [name for name in webapp.SHELL if finders.find(name) is None] == []


def test_shell_version_changes_with_any_stored_byte():
    parts = [("/static/mainthing/app.css", b"body{}"), ("/offline/", b"<h1>off</h1>")]
    changed = [("/static/mainthing/app.css", b"body{ }"), ("/offline/", b"<h1>off</h1>")]
    renamed = [("/static/mainthing/app.1a2b.css", b"body{}"), ("/offline/", b"<h1>off</h1>")]
    versions = {webapp.version(p) for p in (parts, changed, renamed)}
    assert (len(versions), webapp.version(parts)) == (3, webapp.version(list(parts)))


def test_offline_page_says_what_still_works_and_holds_nothing_of_the_user(owner, owner_client):
    response = owner_client.get("/offline/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>You're offline</h1>" in html
    assert "The timer keeps counting; what you press is sent when you're back." in html
    # The worker stores it once and shows it to whoever is offline on this phone.
    assert owner.email not in html
    assert "csrf" not in html.lower()


def test_pages_allow_the_manifest_and_the_worker_from_our_origin_only(owner_client):
    policy = owner_client.get(reverse("today"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert (directives["manifest-src"], directives["worker-src"]) == ("'self'", "'self'")
    assert "unsafe-inline" not in policy
