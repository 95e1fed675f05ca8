"""Every page has an icon: /favicon.ico answers (browsers ask for it whatever the page links) and base.html links
the SVG, the ICO and the home-screen PNG, all served from static files."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_a_real_icon_not_a_404(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = b"".join(icon.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00" and int.from_bytes(body[4:6], "little") == 3  # 16, 32 and 48 px


def test_favicon_answers_head_and_refuses_post(client):
    assert client.head("/favicon.ico").status_code == 302
    assert client.post("/favicon.ico").status_code == 405


def test_every_page_links_icons_that_exist(client):
    page = client.get(reverse("home")).content.decode()
    hrefs = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', page)
    assert len(hrefs) == 3
    types = set()
    for href in hrefs:
        response = client.get(href)
        assert response.status_code == 200, href
        types.add(response["Content-Type"].split(";")[0])
    assert types == {"image/svg+xml", "image/x-icon", "image/png"} or types == {
        "image/svg+xml",
        "image/vnd.microsoft.icon",
        "image/png",
    }
    not_found = client.get("/no-such-page/").content.decode()
    assert 'rel="icon"' in not_found
