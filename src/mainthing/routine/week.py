"""The week as an SVG grid: positions computed here, so templates hold no arithmetic and the
page needs no inline style (the CSP forbids it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.safestring import SafeString

from mainthing.core import charts, timekit
from mainthing.core.enums import Tier

from .occurrences import WEEKDAY_NAMES, Occurrence

COLUMN_WIDTH = 100  # SVG user units per day
# A 30-minute slot is 17 units tall: 24 CSS px or more (WCAG 2.5.8) on a desktop-wide grid.
HOUR_HEIGHT = 34
# A day's column: the block's label on the left, calls and free slots on the right, so a
# slot never covers the label it sits in.
SLOT_X = 50
SLOT_WIDTH = 48


@dataclass
class Box:
    x: int
    y: float
    height: float
    tier: str
    label: str
    title: str
    kind: str = "block"
    url: str = ""


@dataclass
class WeekGrid:
    days: list[dict]
    boxes: list[Box]
    first_hour: int
    last_hour: int
    now_line: dict | None

    @property
    def width(self) -> int:
        return COLUMN_WIDTH * 7

    @property
    def height(self) -> float:
        return (self.last_hour - self.first_hour) * HOUR_HEIGHT

    def svg(self) -> SafeString:
        """The grid as SVG markup, drawn by `core.charts` (a busy week has hundreds of shapes)."""
        height = round(self.height)
        out = []
        for d in self.days:
            today = " today" if d["today"] else ""
            out.append(
                charts.text(
                    d["x"] + 50,
                    -8,
                    f"{d['name']} {d['date'].day}",
                    css=f"day-name{today}",
                    anchor="middle",
                )
                + charts.rect(d["x"], 0, 100, height, css=f"day-column{today}")
            )
        for h in self.hours:
            out.append(
                charts.line(0, self.width, h["y"], h["y"], css="hour-line")
                + charts.text(-6, h["y"] + 4, h["label"], css="hour-label", anchor="end")
            )
        for b in self.boxes:
            y, box_h = round(b.y, 2), round(b.height, 2)
            if b.kind == "free":
                # Named and labelled by its time: "Book Mon 7 Dec 19:30", showing "19:30".
                shape = charts.rect(b.x, y, SLOT_WIDTH, box_h, rx=2, css="free")
                time = charts.text(
                    b.x + SLOT_WIDTH / 2,
                    y + box_h / 2 + 3,
                    b.label,
                    css="free-label",
                    anchor="middle",
                )
                out.append(charts.link(b.url, shape, time, css="free-slot", label=b.title))
            elif b.kind == "appointment":
                css = f"appt appt-{b.tier}"
                shape = charts.rect(b.x, y, SLOT_WIDTH, box_h, rx=3, css=css, tip=b.title)
                label = charts.text(b.x + 3, y + 10, _short(b.label, 9), css="box-label appt-label")
                out.append(charts.link(b.url, shape, label))
            else:
                css = f"block fill-{b.tier}"
                out.append(charts.rect(b.x, y, 96, box_h, rx=4, css=css, tip=b.title))
                if b.height > 12:
                    # Only prospecting blocks hold slots and calls beside their label.
                    room = 9 if b.tier == Tier.INCOME else 16
                    label = _short(b.label or b.tier, room)
                    out.append(charts.text(b.x + 4, y + 11, label, css="box-label"))
        if self.now_line:
            n = self.now_line
            out.append(charts.line(n["x1"], n["x2"], n["y"], n["y"], css="now-line", tip="Now"))
        view_box = f"-44 -22 {self.width + 48} {height + 26}"
        return charts.svg(
            out, view_box=view_box, label="Your week", css="week-grid", interactive=True
        )

    @property
    def hours(self) -> list[dict]:
        return [
            {"label": f"{h:02d}:00", "y": (h - self.first_hour) * HOUR_HEIGHT}
            for h in range(self.first_hour, self.last_hour)
        ]


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _pieces(start: datetime, end: datetime, tz: ZoneInfo, first: date):
    """(column, start minute, end minute) of [start, end) per local day of the week."""
    for day, _seconds in timekit.split_by_local_day(start, end, tz):
        column = (day - first).days
        if not 0 <= column < 7:
            continue
        day_start, day_end = timekit.local_day_bounds(day, tz)
        lo, hi = max(start, day_start), min(end, day_end)
        lo_wall, hi_wall = lo.astimezone(tz), hi.astimezone(tz)
        top = lo_wall.hour * 60 + lo_wall.minute
        bottom = 24 * 60 if hi == day_end else hi_wall.hour * 60 + hi_wall.minute
        yield column, top, max(bottom, top + 1)


def week_grid(
    items: list[Occurrence],
    first: date,
    tz: ZoneInfo,
    *,
    now: datetime,
    appointments: list[tuple[datetime, datetime, str, str, str]] = (),
    free: list[tuple[datetime, datetime, str]] = (),
) -> WeekGrid:
    """Lays out block occurrences, appointments (start, end, label, status, url) and free
    slots (start, end, url) for the week starting `first`, showing the hours that have
    anything in them (at least 08-22)."""
    raw = []
    for o in items:
        for column, top, bottom in _pieces(o.start, o.end, tz, first):
            title = (
                f"{o.label or o.tier}: {o.start.astimezone(tz):%H:%M}-{o.end.astimezone(tz):%H:%M}"
            )
            raw.append((column, top, bottom, o.tier, o.label or "", title, "block", ""))
    for start, end, label, status, url in appointments:
        for column, top, bottom in _pieces(start, end, tz, first):
            title = f"{label}: {start.astimezone(tz):%H:%M}-{end.astimezone(tz):%H:%M}"
            raw.append((column, top, bottom, status, label, title, "appointment", url))
    for start, end, url in free:
        for column, top, bottom in _pieces(start, end, tz, first):
            local = start.astimezone(tz)
            title = f"Book {local:%a} {local.day} {local:%b %H:%M}"
            raw.append((column, top, bottom, "free", f"{local:%H:%M}", title, "free", url))
    first_hour = min([8, *(top // 60 for _, top, *_ in raw)])
    last_hour = max([22, *(-(-bottom // 60) for _, _, bottom, *_ in raw)])
    boxes = [
        Box(
            x=column * COLUMN_WIDTH + (2 if kind == "block" else SLOT_X),
            y=(top - first_hour * 60) * HOUR_HEIGHT / 60,
            height=(bottom - top) * HOUR_HEIGHT / 60,
            tier=tier,
            label=label,
            title=title,
            kind=kind,
            url=url,
        )
        for column, top, bottom, tier, label, title, kind, url in raw
    ]
    days = [
        {
            "date": first + timedelta(days=i),
            "name": WEEKDAY_NAMES[i],
            "x": i * COLUMN_WIDTH,
            "today": first + timedelta(days=i) == timekit.local_date(now, tz),
        }
        for i in range(7)
    ]
    now_line = None
    local_now = now.astimezone(tz)
    column = (local_now.date() - first).days
    if 0 <= column < 7:
        minute = local_now.hour * 60 + local_now.minute
        if first_hour * 60 <= minute < last_hour * 60:
            now_line = {
                "x1": column * COLUMN_WIDTH,
                "x2": (column + 1) * COLUMN_WIDTH,
                "y": (minute - first_hour * 60) * HOUR_HEIGHT / 60,
            }
    return WeekGrid(days, boxes, first_hour, last_hour, now_line)
