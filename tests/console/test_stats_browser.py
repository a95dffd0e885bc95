"""A real browser (Debian chromium) opens the statistics page as a viewer: the charts are SVG
drawn by the server, with bars as tall as the table under them says."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.console.conftest import PASSWORD, make_intake

pytestmark = [pytest.mark.browser]


def test_viewer_opens_statistics_and_the_category_chart_renders(app, staff, live_server, browser_page):
    page = browser_page
    at = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)
    make_intake(at, categories=["income", "debt"], primary="debt")
    make_intake(at, categories=["income"], primary="income")
    make_intake(at, categories=["caregiving"], primary="caregiving", channel="web")

    page.goto(f"{live_server}/console/login")
    page.fill("#username", "viewer")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.click("#nav-stats")
    page.select_option("select[name=period]", "2026")
    page.click("form.period button[type=submit]")
    page.wait_for_selector("#chart-categories")

    assert page.inner_text("#total-intakes") == "3"
    chart = page.locator("#chart-categories")
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100  # drawn, not an empty element
    widths = {}
    for bar in chart.locator("rect.bar:not(.bar-second)").all():
        label = bar.locator("title").text_content().split(" ")[0]
        widths[label] = bar.bounding_box()["width"]
    # 収入 is marked twice, 介護 once: twice as long on screen; unmarked items have no length
    income, caregiving = widths["収入・生活費のこと"], widths["介護に関すること"]
    assert income == pytest.approx(2 * caregiving, rel=0.02) and caregiving > 50
    assert widths["債務について"] == pytest.approx(caregiving, rel=0.02)
    assert widths["食べるものがない"] == 0
    row = page.locator("#table-categories tr[data-item=income] td")
    assert row.nth(0).inner_text() == "2" and row.nth(1).inner_text() == "1"
