import pytest

from sessions_app.chat_safety import MASK, mask_contact_details


@pytest.mark.parametrize(
    "text",
    [
        "98765 43210",
        "9876543210",
        "+91 98765 43210",
        "+91-98765-43210",
        "(+91) 98765-43210",
        "+919876543210",
        "091-9876543210",
        "0 98765 43210",
        "98-7654-3210",
        "9 8 7 6 5 4 3 2 1 0",
        "98765.43210",
        "040-23456789",
        "040 2345 6789",
        "(040) 2345-6789",
        "+91 40 2345 6789",
        "022-2345-6789",
        "1800-123-4567",
    ],
)
def test_indian_phone_numbers_are_hidden(text):
    assert mask_contact_details(f"call me on {text} tonight") == f"call me on {MASK} tonight"


@pytest.mark.parametrize(
    "text",
    [
        "ravi.kumar@gmail.com",
        "Ravi.Kumar+jee@Example.co.in",
        "priya_s@rediffmail.com",
        "ravi [at] gmail [dot] com",
        "ravi(at)gmail(dot)com",
        "ravi (at) yahoo (dot) co (dot) in",
    ],
)
def test_email_addresses_are_hidden(text):
    assert mask_contact_details(f"write to {text} please") == f"write to {MASK} please"


@pytest.mark.parametrize(
    "text", ["ravi@okaxis", "9876543210@ybl", "priya.s@oksbi", "ravi-kumar@paytm", "ravi@upi", "name.12@okhdfcbank"]
)
def test_upi_ids_are_hidden(text):
    assert mask_contact_details(f"pay {text} now") == f"pay {MASK} now"


@pytest.mark.parametrize(
    "text",
    [
        "Read chapter 12, page 345.",
        "The exam is on 2025-05-12 at 10:30.",
        "Solve 3x + 5 = 20 and x^2 = 144.",
        "@Ravi good question!",
        "pi is about 3.14159",
        "Score 99/100, rank 1234",
        "JEE 2026 has 75 questions in 180 minutes",
    ],
)
def test_ordinary_study_talk_is_left_alone(text):
    assert mask_contact_details(text) == text


def test_every_detail_in_a_message_is_hidden():
    text = "Ravi: 98765 43210, ravi@gmail.com, UPI ravi@okaxis. Call after 6."
    assert mask_contact_details(text) == f"Ravi: {MASK}, {MASK}, UPI {MASK}. Call after 6."
