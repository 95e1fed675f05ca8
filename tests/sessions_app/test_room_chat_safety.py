import pytest

from sessions_app.room.chat_safety import MASK, mask_contact_details


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


@pytest.mark.parametrize(
    "text",
    [
        "98765\u200b43210",  # zero-width space inside the number
        "9\u200c8\u200d7\u20606\ufeff5 43210",  # other invisible characters
        "98765 4321O",  # letter O for zero
        "98765 432lO",  # letter l for one
        "９８７６５ ４３２１０",  # full-width digits
        "९८७६५ ४३२१०",  # Devanagari digits
        "nine eight seven six five four three two one zero",
        "Nine Eight Seven Six Five, four three two one oh",
        "nau aath saat chhe paanch char teen do ek shunya",
        "ravi at gmail dot com",
        "ravi AT gmail DOT com",
        "ravi at gmail.com",
        "ravi {at} gmail {dot} com",
        "ravi\u200b@gmail.com",
        "ravi＠gmail．com",
        "rаvi@gmаil.com",  # Cyrillic а
        "t.me/ravik07",
        "https://t.me/ravik07",
        "wa.me/919876543210",
        "instagram.com/ravi.k",
        "discord.gg/abcd",
        "@ravi_k07",
        "@ravi.kumar",
        "insta: ravikumar",
        "my insta id is ravikumar",
        "snapchat ravi.k",
        "telegram @ravik",
    ],
)
def test_evasions_of_the_contact_filter_are_hidden(text):
    masked = mask_contact_details(f"ok {text} bye")
    assert MASK in masked
    for fragment in ("9876", "ravi", "gmail", "t.me", "wa.me", "nine eight", "nau aath"):
        assert fragment not in masked.lower().replace("ok ", "").replace(" bye", "").replace("[•••]", ""), masked


@pytest.mark.parametrize(
    "text",
    [
        "I do not know one or two of these.",
        "Good, look at the book on page 100.",
        "lol I lol I lol",
        "We meet at school at 5.",
        "Chapter 3.2: Ohm's law, I = V / R, for 10 minutes.",
    ],
)
def test_normalising_leaves_ordinary_sentences_alone(text):
    assert mask_contact_details(text) == text
