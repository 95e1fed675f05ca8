"""The site navigation on a 375 px phone and on a 1280 px desktop: one menu, a disclosure that keeps focus while open,
every link visible inside the screen and tappable, and the language switcher reachable from the header."""

import pytest
from playwright.sync_api import expect

from tests.factories import student_with_profile
from tests.mentors.browser import log_in

pytestmark = pytest.mark.e2e
HEADER_LINKS = "header a[href]:not([x-data=notificationBell] a)"

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def _menu_links(page):
    return page.locator("#nav-links a[href]")


def _open_menu(page):
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    return menu


def _inside_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] and (
        box["y"] + box["height"] <= size["height"]
    )


def test_phone_menu_opens_once_and_every_link_is_visible_inside_the_screen_and_tappable(page):
    student = student_with_profile(languages=("en", "hi"))
    log_in(page, student.email)
    page.set_viewport_size(PHONE)
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-controls", "nav-links")
    assert _menu_links(page).count() > 0
    expect(_menu_links(page).first).to_be_hidden()
    button_box = menu.bounding_box()

    _open_menu(page)
    # One copy of each link on the page's navigation, the button where it was.
    # + the PeerLearn home link (the notification bell sits beside the menu button, outside the menu)
    assert page.locator(HEADER_LINKS).count() == _menu_links(page).count() + 1
    assert menu.bounding_box() == button_box
    # Focus moved into the menu.
    assert page.evaluate("() => document.activeElement.closest('#nav-links') !== null")
    hrefs = [_menu_links(page).nth(i).get_attribute("href") for i in range(_menu_links(page).count())]
    assert len(hrefs) == len(set(hrefs))
    for i in range(len(hrefs)):
        link = _menu_links(page).nth(i)
        expect(link).to_be_visible()
        assert _inside_viewport(page, link), (hrefs[i], link.bounding_box())
    switcher = page.locator("header").get_by_label("Language")
    expect(switcher).to_be_visible()
    assert _inside_viewport(page, switcher)

    for href in hrefs:
        page.goto("/")
        _open_menu(page)
        with page.expect_navigation() as navigation:
            page.locator(f'#nav-links a[href="{href}"]').click()
        assert navigation.value.status < 400, href
        expect(page.locator("main")).to_be_visible()


def test_focus_stays_in_the_open_menu_and_escape_closes_it_returning_focus_to_the_button(page):
    page.set_viewport_size(PHONE)
    page.goto("/")
    menu = _open_menu(page)
    controls = page.locator("#nav-links").locator("a[href], button, select")
    count = controls.count()
    visited = set()
    for _ in range(count + 3):
        page.keyboard.press("Tab")
        inside = page.evaluate(
            "() => document.activeElement.closest('#nav-links') !== null"
            " || document.activeElement.getAttribute('aria-controls') === 'nav-links'"
        )
        assert inside, page.evaluate("() => document.activeElement.outerHTML")
        visited.add(page.evaluate("() => document.activeElement.outerHTML"))
    assert len(visited) == count + 1  # every control in the menu and the button, each once per cycle

    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(_menu_links(page).first).to_be_hidden()
    expect(menu).to_be_focused()


def test_desktop_shows_one_row_of_links_and_no_menu_button(page):
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    links = _menu_links(page)
    for i in range(links.count()):
        expect(links.nth(i)).to_be_visible()
    assert page.locator(HEADER_LINKS).count() == links.count() + 1
    assert len({round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}) == 1
    expect(page.locator("header").get_by_label("Language")).to_be_visible()
    # Tab walks each link once.
    page.locator("body").focus()
    seen = []
    for _ in range(links.count() + 2):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.getAttribute('href')"))
    hrefs = [href for href in seen if href and href != "#main"]
    assert len(hrefs) == len(set(hrefs))
