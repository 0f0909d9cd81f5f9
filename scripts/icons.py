"""Draws the web app's PNG icons from the design of core/static/mainthing/icon.svg.

    .venv/bin/python scripts/icons.py

The SVG is three shapes on a 32-unit square: a dark rounded square, a green ring and a green
dot. They are drawn here from their distance functions (coverage = how far inside a shape a
pixel's centre lies, which anti-aliases the edges), and written with zlib: no image library.
Run it again after changing the SVG, and commit the PNGs it writes.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "src" / "mainthing" / "core" / "static" / "mainthing"

# From icon.svg (viewBox 0 0 32 32).
BACKGROUND = (0x0F, 0x17, 0x2A)
GREEN = (0x16, 0xA3, 0x4A)
CORNER = 7  # the square's rx
RING_RADIUS, RING_WIDTH = 9, 4
DOT_RADIUS = 3


def _coverage(distance: float, scale: float) -> float:
    """How much of a pixel a shape covers, from the signed distance (in design units) of the
    pixel's centre to the shape's edge (negative inside)."""
    return min(1.0, max(0.0, 0.5 - distance * scale))


def _rounded_square(x: float, y: float, corner: float) -> float:
    """Signed distance to the 32 by 32 square with rounded corners."""
    qx = abs(x - 16) - (16 - corner)
    qy = abs(y - 16) - (16 - corner)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - corner


def _pixel(x: float, y: float, scale: float, *, maskable: bool) -> tuple[int, int, int, int]:
    # A maskable icon fills its square: the platform cuts its own shape out of it. The ring
    # (radius 11 of 16) already sits inside the safe zone, a circle of radius 0.4 of the size.
    alpha = 1.0 if maskable else _coverage(_rounded_square(x, y, CORNER), scale)
    r = math.hypot(x - 16, y - 16)
    ring = _coverage(abs(r - RING_RADIUS) - RING_WIDTH / 2, scale)
    dot = _coverage(r - DOT_RADIUS, scale)
    green = max(ring, dot)
    colour = [round(b + (g - b) * green) for b, g in zip(BACKGROUND, GREEN, strict=True)]
    return (*colour, round(alpha * 255))


def draw(size: int, *, maskable: bool = False) -> bytes:
    """The icon as RGBA rows, each led by PNG's filter byte (0, none)."""
    scale = size / 32  # pixels per design unit
    rows = bytearray()
    for py in range(size):
        rows.append(0)
        for px in range(size):
            rows.extend(_pixel((px + 0.5) / scale, (py + 0.5) / scale, scale, maskable=maskable))
    return bytes(rows)


def png(size: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


# What the manifest (core/views.py) and base.html name.
ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),  # iOS rounds the corners itself
}


def main() -> None:
    for name, (size, maskable) in ICONS.items():
        path = STATIC / name
        path.write_bytes(png(size, draw(size, maskable=maskable)))
        print(f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()
