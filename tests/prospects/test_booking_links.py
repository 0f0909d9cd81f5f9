"""Each lead source's booking link (`?src=<key>`) on the sources pages, with a Copy button and a
QR code served as SVG and PNG; none for an archived source; Unknown has the page's plain link."""

import io
import re
import struct
import zlib
from datetime import UTC, datetime

import pytest
import segno
from django.conf import settings
from django.urls import reverse

from mainthing.bookings import links
from mainthing.bookings.public import page_for
from mainthing.prospects import services
from tests.factories import category

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")


def source(user, campaign="Signature on the MLM forum", key="mlm-forum"):
    return services.add_source(
        user, category=category(user, "Forum posts"), campaign=campaign, key=key
    )


def link(page, key=None) -> str:
    """The link as the issue spells it: BASE_URL + the page's reversed path + ?src=<key>."""
    url = settings.BASE_URL + reverse("booking:page", args=[page.slug])
    return f"{url}?src={key}" if key else url


def png_pixels(data: bytes) -> tuple[int, int, list[list[int]]]:
    """Width, height and rows of 0/1 pixels of a 1-bit greyscale PNG (what segno writes),
    decoded here without any imaging library, so the test reads the image the view served."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        chunks.setdefault(kind, b"")
        chunks[kind] += data[at + 8 : at + 8 + length]
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour, interlace) == (1, 0, 0)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (width + 7) // 8
    rows, previous = [], bytes(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, line = line[0], bytearray(line[1:])
        if kind == 2:  # "up": each byte adds the one above (a repeated row)
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        else:
            assert kind == 0, f"filter {kind}"
        previous = bytes(line)
        rows.append([(line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
    return width, height, rows


def modules(pixels: list[list[int]], *, scale: int, border: int, size: int) -> list[list[int]]:
    """The QR modules read back from the image: the centre pixel of each module, dark = 1."""
    return [
        [
            1 - pixels[(border + r) * scale + scale // 2][(border + c) * scale + scale // 2]
            for c in range(size)
        ]
        for r in range(size)
    ]


# --- the link ------------------------------------------------------------------------------------


def test_booking_url_is_the_reversed_page_path_with_the_source_key(owner):
    page = page_for(owner)
    forum = source(owner)
    unknown = services.unknown_source(owner)

    assert (
        links.booking_url(page, forum),
        links.booking_url(page, unknown),
        links.booking_url(page),
    ) == (link(page, "mlm-forum"), link(page), link(page))


def test_sources_page_shows_each_active_source_link_with_a_copy_button(owner, owner_client):
    page = page_for(owner)
    forum = source(owner)
    services.unknown_source(owner)

    html = owner_client.get(reverse("prospects:sources")).content.decode()

    assert (
        f'<textarea id="link-{forum.pk}" rows="1" readonly spellcheck="false" autocomplete="off">'
        f"{link(page, 'mlm-forum')}</textarea>"
    ) in html
    assert f'data-copy="link-{forum.pk}"' in html
    assert f'data-copy-status="link-{forum.pk}"' in html


def test_sources_page_gives_unknown_the_plain_link(owner, owner_client):
    page = page_for(owner)
    unknown = services.unknown_source(owner)

    html = owner_client.get(reverse("prospects:sources")).content.decode()

    assert f'id="link-{unknown.pk}" rows="1" readonly' in html
    assert f">{link(page)}</textarea>" in html
    assert "?src=unknown" not in html


def test_archived_source_has_no_link_and_no_qr_code(owner, owner_client):
    forum = source(owner)
    services.edit_source(forum, campaign=forum.campaign, key=forum.key, archived=True)

    listing = owner_client.get(reverse("prospects:sources")).content.decode()
    edit = owner_client.get(reverse("prospects:edit-source", args=[forum.pk])).content.decode()
    svg = owner_client.get(reverse("prospects:source-qr-svg", args=[forum.pk]))
    png = owner_client.get(reverse("prospects:source-qr-png", args=[forum.pk]))

    assert ("?src=mlm-forum" in listing, "archived, no booking link" in listing) == (False, True)
    assert ("?src=mlm-forum" in edit, "An archived source has no booking link" in edit) == (
        False,
        True,
    )
    assert (svg.status_code, png.status_code) == (404, 404)


def test_sources_page_says_when_the_booking_page_is_switched_off(owner, owner_client):
    page = page_for(owner)
    page.enabled = False
    page.save()
    source(owner)

    html = owner_client.get(reverse("prospects:sources")).content.decode()

    assert "Your booking page is switched off" in html


def test_edit_page_shows_link_copy_button_qr_code_and_downloads(owner, owner_client):
    page = page_for(owner)
    forum = source(owner)
    svg_url = reverse("prospects:source-qr-svg", args=[forum.pk])
    png_url = reverse("prospects:source-qr-png", args=[forum.pk])

    html = owner_client.get(reverse("prospects:edit-source", args=[forum.pk])).content.decode()

    assert (
        f'readonly spellcheck="false" autocomplete="off">{link(page, "mlm-forum")}</textarea>'
        in (html)
    )
    assert '<button type="button" class="secondary" data-copy="booking-url"' in html
    assert (
        f'<img class="qr" src="{svg_url}" alt="QR code for {link(page, "mlm-forum")}"'
        ' width="240" height="240">'
    ) in html
    assert (
        f'href="{svg_url}?download=1" download' in html,
        f'href="{png_url}?download=1" download' in html,
    ) == (True, True)


def test_unknown_edit_page_shows_the_plain_link_and_its_qr_code(owner, owner_client):
    page = page_for(owner)
    unknown = services.unknown_source(owner)

    html = owner_client.get(reverse("prospects:edit-source", args=[unknown.pk])).content.decode()
    svg = owner_client.get(reverse("prospects:source-qr-svg", args=[unknown.pk]))

    assert f">{link(page)}</textarea>" in html
    assert svg.content == segno_svg(link(page))


# --- the QR code ---------------------------------------------------------------------------------


def segno_svg(url: str) -> bytes:
    out = io.BytesIO()
    segno.make_qr(url, error="m", boost_error=False).save(
        out,
        kind="svg",
        scale=10,
        border=4,
        light="#fff",
        omitsize=True,
        title=url,
        svgclass="qr",
        lineclass=None,
    )
    return out.getvalue()


def test_qr_svg_is_the_source_link_encoded_for_print(owner, owner_client):
    page = page_for(owner)
    forum = source(owner)

    response = owner_client.get(reverse("prospects:source-qr-svg", args=[forum.pk]))

    size = segno.make_qr(link(page, "mlm-forum"), error="m").symbol_size(scale=10, border=4)
    assert (response.status_code, response["Content-Type"]) == (200, "image/svg+xml")
    assert response.content == segno_svg(link(page, "mlm-forum"))
    assert re.search(rb'viewBox="0 0 (\d+) (\d+)"', response.content).groups() == (
        str(size[0]).encode(),
        str(size[1]).encode(),
    )
    assert "Content-Disposition" not in response


def test_qr_png_pixels_carry_the_source_link(owner, owner_client):
    page = page_for(owner)
    forum = source(owner)

    response = owner_client.get(reverse("prospects:source-qr-png", args=[forum.pk]))

    expected = segno.make_qr(link(page, "mlm-forum"), error="m", boost_error=False)
    n = len(expected.matrix)
    width, height, pixels = png_pixels(response.content)
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert (width, height) == ((n + 8) * 10, (n + 8) * 10)
    assert modules(pixels, scale=10, border=4, size=n) == [list(row) for row in expected.matrix]
    # The quiet zone is white all round (pixel 1 is light in a greyscale PNG).
    assert {pixels[y][x] for y in range(40) for x in range(width)} == {1}


@pytest.mark.parametrize(("name", "kind"), [("source-qr-svg", "svg"), ("source-qr-png", "png")])
def test_qr_download_names_the_file_after_the_key(owner, owner_client, name, kind):
    forum = source(owner)

    response = owner_client.get(reverse(f"prospects:{name}", args=[forum.pk]) + "?download=1")

    assert (response.status_code, response["Content-Disposition"]) == (
        200,
        f'attachment; filename="booking-link-mlm-forum.{kind}"',
    )


@pytest.mark.parametrize("name", ["source-qr-svg", "source-qr-png"])
def test_qr_code_of_another_users_source_is_not_found(owner, other_client, name):
    forum = source(owner)

    response = other_client.get(reverse(f"prospects:{name}", args=[forum.pk]))

    assert (response.status_code, b"mlm-forum" in response.content) == (404, False)


def test_qr_code_needs_a_login(owner, anon_client):
    forum = source(owner)
    path = reverse("prospects:source-qr-png", args=[forum.pk])

    response = anon_client.get(path)

    assert (response.status_code, response["Location"]) == (
        302,
        f"{reverse('accounts:login')}?next={path}",
    )


def test_qr_code_refuses_a_post(owner, owner_client):
    forum = source(owner)

    response = owner_client.post(reverse("prospects:source-qr-svg", args=[forum.pk]))

    assert response.status_code == 405
