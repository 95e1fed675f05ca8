"""Checks that a URL answers htmx swaps with its fragment and everything else, history restores included, with
the whole page, and says so in `Vary` (the back button must not show a bare fragment)."""

SWAP = {"HX-Request": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def assert_page_or_partial(client, url: str, params: dict | None = None, *, fragment: str) -> None:
    """`fragment` is a piece of HTML found in the partial (and so in the page too)."""
    page = client.get(url, params)
    partial = client.get(url, params, headers=SWAP)
    restored = client.get(url, params, headers=HISTORY_RESTORE)
    for response in (page, partial, restored):
        assert response.status_code == 200
        assert "HX-Request" in response.get("Vary", "")
        assert fragment in response.content.decode()
    assert "<html" in page.content.decode()
    assert "<html" not in partial.content.decode()
    assert "<html" in restored.content.decode()
