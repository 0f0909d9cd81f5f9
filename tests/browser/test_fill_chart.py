"""Today's fill-rate bars in a real browser: readable day labels at desktop and phone widths,
the numbers as text, clean under axe-core."""

from __future__ import annotations

import pytest

from tests.browser.conftest import BROWSER_MARKS, CHROMIUM, DESKTOP, axe_violations, sign_up

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

pytestmark = BROWSER_MARKS

NARROW = {"width": 360, "height": 780}


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
