"""Initials avatars: a colour per person, the same on every page and in every process."""

import subprocess
import sys

from django.template.loader import render_to_string

from accounts.templatetags.avatars import AVATAR_TONES, avatar_tone


def test_each_person_keeps_one_tint_and_people_beside_each_other_differ():
    names = ["Ravi Kumar", "Priya Sharma", "Lakshmi Reddy", "Arjun Mehta", "Meera Iyer", "Sara Khan", "రవి తేజ"]
    tones = [avatar_tone(name) for name in names]
    assert all(tone in AVATAR_TONES for tone in tones)
    assert len(set(tones)) >= 4
    script = "from accounts.templatetags.avatars import avatar_tone; print(avatar_tone('Ravi Kumar'))"
    again = subprocess.run(  # another process, another hash() seed
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    )
    assert again.stdout.strip() == avatar_tone("Ravi Kumar")


def test_the_avatar_partial_paints_initials_in_the_persons_tint():
    html = render_to_string("partials/_avatar.html", {"name": "Priya Sharma", "url": "", "size": "sm"})
    assert avatar_tone("Priya Sharma") in html and "data-avatar-initials>PS<" in html
