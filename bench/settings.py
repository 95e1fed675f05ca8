"""The production settings plus the benchmarks' floor: a bare Django view behind the same middleware.

Used only by the bench scripts (DJANGO_SETTINGS_MODULE=bench.settings), so production has no extra URL.
"""

from mentorship.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
