"""Radios and checkboxes are at least 24 × 24 px targets on a phone (WCAG 2.5.8), on the pages that have the most."""

import pytest

from tests.factories import student_with_profile
from tests.mentors.browser import log_in

pytestmark = pytest.mark.e2e


def test_every_visible_radio_and_checkbox_is_at_least_24_px(page):
    student = student_with_profile(languages=("en",))
    log_in(page, student.email)
    page.set_viewport_size({"width": 375, "height": 740})
    measured = 0
    for path in ("/become-a-mentor/", "/profile/level/edit/", "/profile/languages/edit/"):
        page.goto(path)
        controls = page.locator('input[type="checkbox"]:visible, input[type="radio"]:visible')
        for i in range(controls.count()):
            box = controls.nth(i).bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24, (path, controls.nth(i).get_attribute("name"), box)
            measured += 1
    assert measured >= 6
