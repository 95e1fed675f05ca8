"""In a real browser, pages load without a failed request or console error for the site icon."""

import pytest

pytestmark = pytest.mark.e2e


def test_pages_load_their_icon_without_errors(page):
    failures, errors = [], []
    page.on("response", lambda response: failures.append(response.url) if response.status >= 400 else None)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    for path in ("/", "/mentors/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    icon = page.evaluate(
        "async () => { const r = await fetch('/favicon.ico'); return [r.status, r.headers.get('content-type')]; }"
    )
    assert icon[0] == 200 and icon[1] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert failures == [] and errors == []
