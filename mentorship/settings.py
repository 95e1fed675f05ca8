"""PeerLearn settings: one module, driven by environment variables (see .env.example)."""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from mentorship.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    redis_channel_layer,
    redis_connection_options,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# development: `make run`; test: `make test`; production: docker-compose / real deployments.
PEERLEARN_ENV = env_choice("PEERLEARN_ENV", ("development", "test", "production"), "development")
IS_PRODUCTION = PEERLEARN_ENV == "production"
IS_TEST = PEERLEARN_ENV == "test"

DEBUG = env_bool("DEBUG", PEERLEARN_ENV == "development")
if IS_PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-key-only-for-local-use-8d1f0c7a2b9e4f6a")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "PeerLearn")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.headless",
    "axes",
    "django_htmx",
    "template_partials",
    # Before accounts, whose admin replaces auditlog's admin of the (swapped-in) audit log model.
    "auditlog",
    "accounts",
    "mentors",
    "matching",
    "payments",
    "sessions_app",
    "adminpanel",
    "outbox",
    # The project itself, for its management commands (seed_demo loads every app's demo data).
    "mentorship",
    "api",
    # Django Ninja: the JSON API at /api/v1/ (its Swagger UI assets are served from its own static files).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mentorship.middleware.RejectNulMiddleware",
    # Django reads uploads only for POST: the API's PUT /me/photo needs request.FILES for a PUT as well.
    "ninja.compatibility.files.fix_request_files_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.ViewerTimeZoneMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.privacy.sessions.ThrottledUserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.StaffMfaRequiredMiddleware",
    "mentorship.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.privacy.audit.AuditContextMiddleware",
]

ROOT_URLCONF = "mentorship.urls"
WSGI_APPLICATION = "mentorship.wsgi.application"
ASGI_APPLICATION = "mentorship.asgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "mentorship.context_processors.site",
            ],
        },
    },
]

# Every form field renders through templates/partials/_field.html (`{{ field.as_field_group }}`).
FORM_RENDERER = "mentorship.forms.FormRenderer"

# --- Data stores -------------------------------------------------------------------------------
DATABASES = {"default": parse_database_url(env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peerlearn"))}
# Persistent connections leak under ASGI (Daphne runs every request in a new thread), so keep them off there.
# gunicorn's sync workers serve one request at a time on one thread and can keep theirs (DB_CONN_MAX_AGE=60 on the
# web process): a fresh connection costs a backend start and a cold catalogue cache on every page.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A streaming replica for the discovery reads (mentorship/db_router.py); see README "Scaling" for when to add one.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **parse_database_url(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,
        # Tests read the primary's test database through this alias instead of creating another.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["mentorship.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
# One Redis serves every role by default; each role can move to its own server (README "Scaling").
REDIS_CACHE_URL = env_str("REDIS_CACHE_URL", REDIS_URL)
REDIS_CHANNEL_LAYER_URL = env_str("REDIS_CHANNEL_LAYER_URL", REDIS_URL)
# Every Redis client gets explicit timeouts, longer than any read of its that blocks on purpose. redis-py 8 gives
# each connection a 5 s socket timeout by default, exactly the channel layer's BZPOPMIN block (channels_redis'
# brpop_timeout): an idle room socket's receive timed out before Redis answered "nothing yet", and the
# TimeoutError ended the consumer, so every quiet room dropped every ~5 s (on unix socket, TCP and TLS alike;
# see redis_channel_layer). Commands that never block (cache, rate-limit counters, presence) fail fast instead.
REDIS_COMMAND_TIMEOUT_SECONDS = 3
CACHES = {
    "default": {
        # Pages keep serving from PostgreSQL while Redis is down (a miss, not an error): mentorship/resilient_cache.py.
        "BACKEND": "mentorship.resilient_cache.ResilientRedisCache",
        "LOCATION": REDIS_CACHE_URL,
        # Separate prefixes let several deployments (or benchmark servers) share one Redis.
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", f"peerlearn-{PEERLEARN_ENV}"),
        "OPTIONS": redis_connection_options(REDIS_CACHE_URL, socket_timeout=REDIS_COMMAND_TIMEOUT_SECONDS),
    }
}
CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_CHANNEL_LAYER_URL, prefix=f"peerlearn-{PEERLEARN_ENV}")}
# Room presence keeps its counters beside the channel layer; its commands never block.
REDIS_PRESENCE_OPTIONS = redis_connection_options(REDIS_CHANNEL_LAYER_URL, socket_timeout=REDIS_COMMAND_TIMEOUT_SECONDS)

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL.replace("unix://", "redis+socket://", 1))
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", IS_TEST)
CELERY_TASK_EAGER_PROPAGATES = True
# At-least-once: a task is acknowledged after it ran, and put back when the worker process running it dies
# (every task is idempotent, so a re-run is harmless).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task may run longer than this (the weekly payouts are the longest: one 10 s gateway call per mentor, resumable).
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# An unacknowledged task comes back this long after a whole worker crashed. It must exceed the longest task (300 s)
# plus the longest retry countdown a worker holds unacknowledged (300 s), or running tasks would be delivered twice;
# the outbox sweep republishes owed work sooner than that anyway.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
    # kombu blocks in BRPOP for 1 s per poll and passes socket_timeout=None to redis-py unless told otherwise, so a
    # publish (beat, web, worker) to a Redis that stopped answering without closing the socket would hang for ever:
    # longer than the worker's blocking read (1 s), short enough to notice a dead Redis quickly. kombu drops
    # keepalive and the connect timeout for unix sockets itself.
    "socket_timeout": 5,
    "socket_keepalive": True,
    "socket_connect_timeout": 2,
    # Publishing gives up at the first refused connection (the outbox keeps the work); the worker's own consumer
    # connection keeps retrying (broker_connection_max_retries).
    "max_retries": 0,
}
# Queues per kind of work (README "Scaling"): a flood of one kind (a night's precompute, a storm of notices) never
# queues in front of another (a refund). Routed by name pattern, first match wins, so a new task of a kind lands in
# its queue and renaming a task within the scheme does not move it; anything else goes to "default". A worker started
# without -Q consumes every queue below (`make run`'s single worker, the tests); docker-compose.yml splits them.
# The outbox publishes its relay task to the queue of the task it owes (outbox.services.outbox_dispatch).
CELERY_QUEUE_NAMES = ("payments", "notices", "precompute", "default")
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in CELERY_QUEUE_NAMES]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    # Notices and emails first: "notify the mentor of a refund" is a notice, not money.
    **dict.fromkeys(["*notify*", "*notice*", "*email*", "*send_*", "*remind*", "*consent*"], {"queue": "notices"}),
    **dict.fromkeys(
        ["payments.*", "*refund*", "*payout*", "*pay_out*", "*payment*", "*invoice*", "*reconcil*"],
        {"queue": "payments"},
    ),
    **dict.fromkeys(
        ["matching.*", "*recommend*", "*precompute*", "*rollup*", "*analytics*", "*_stats*", "*export*"],
        {"queue": "precompute"},
    ),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# The outbox (DESIGN.md §7): a message in flight is leased for the longest a task can run; one published but not
# done after OUTBOX_REDISPATCH_SECONDS (Redis restarted empty, worker gone) is published again by the sweep.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 60)
OUTBOX_REDISPATCH_SECONDS = env_int("OUTBOX_REDISPATCH_SECONDS", 120)
CELERY_TIMEZONE = "UTC"
# Task names follow one scheme, "<app>.<function>" with a verb-first function name ("sessions_app.expire_holds"),
# set explicitly on every task so that moving a module never renames a task (outbox rows and beat store names).
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["outbox-sweep"] = {"task": "outbox.sweep", "schedule": env_int("OUTBOX_SWEEP_SECONDS", 30)}
# Payments whose callback and webhooks were lost are repaired from Razorpay's own records.
CELERY_BEAT_SCHEDULE["accounts-privacy-housekeeping"] = {
    "task": "accounts.run_privacy_housekeeping",
    "schedule": 3600.0,
}
# Email and SMS copies held by a user's quiet hours go out when they end; digests at the user's local hour.
CELERY_BEAT_SCHEDULE["accounts-notifications-release-held"] = {
    "task": "accounts.notifications_release_held",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["accounts-notification-digests"] = {"task": "accounts.notification_digests", "schedule": 900.0}
CELERY_BEAT_SCHEDULE["payments-reconcile"] = {"task": "payments.reconcile_payments", "schedule": 300.0}
# Payouts likewise, against RazorpayX (in flight, and processed ones a bank may still send back).
CELERY_BEAT_SCHEDULE["payments-reconcile-payouts"] = {"task": "payments.reconcile_payouts", "schedule": 600.0}
# Packages past their date refund the sessions never booked.
CELERY_BEAT_SCHEDULE["payments-expire-packages"] = {"task": "payments.expire_packages", "schedule": 3600.0}
# Weekly mentor payouts, Monday 06:00 IST (00:30 UTC).
CELERY_BEAT_SCHEDULE["payments-weekly-payouts"] = {
    "task": "payments.pay_out_mentors",
    "schedule": crontab(minute=30, hour=0, day_of_week="mon"),
}
# Bookings: release unpaid holds, send the 24 h / 1 h reminders (each once), complete undisputed sessions.
# Mentors' monthly statements, on the 1st at 06:30 IST (01:00 UTC), for the month just over.
CELERY_BEAT_SCHEDULE["payments-monthly-statements"] = {
    "task": "payments.generate_monthly_statements",
    "schedule": crontab(minute=0, hour=1, day_of_month=1),
}
CELERY_BEAT_SCHEDULE["sessions-expire-holds"] = {"task": "sessions_app.expire_holds", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["sessions-reminders"] = {"task": "sessions_app.send_due_reminders", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["sessions-auto-complete"] = {
    "task": "sessions_app.auto_complete_sessions",
    "schedule": 900.0,
}
# The room: refund everyone when a mentor never joins; delete recordings past their retention date.
CELERY_BEAT_SCHEDULE["sessions-mentor-no-shows"] = {"task": "sessions_app.process_mentor_no_shows", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["sessions-delete-old-chat"] = {"task": "sessions_app.delete_old_chat", "schedule": 3600.0}
# Mentors' response time and returning-student share, daily (03:00 IST) so the 90-day window moves on.
CELERY_BEAT_SCHEDULE["sessions-refresh-response-times"] = {
    "task": "sessions_app.refresh_response_times",
    "schedule": crontab(minute=30, hour=21),
}
CELERY_BEAT_SCHEDULE["sessions-expire-recordings"] = {
    "task": "sessions_app.delete_expired_recordings",
    "schedule": 3600.0,
}
# Staff side: close tickets resolved a week ago; open mentor quality reviews daily and audits weekly.
CELERY_BEAT_SCHEDULE["support-auto-close"] = {"task": "adminpanel.auto_close_tickets", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE["quality-daily"] = {
    "task": "adminpanel.open_quality_reviews",
    "schedule": crontab(minute=0, hour=1),
}
CELERY_BEAT_SCHEDULE["quality-weekly-audits"] = {
    "task": "adminpanel.sample_quality_audits",
    "schedule": crontab(minute=30, hour=1, day_of_week="mon"),
}
# Analytics: daily rollups for /panel/analytics/ (00:15 IST); backfill with rollup_analytics.delay("2025-01-01", ...).
CELERY_BEAT_SCHEDULE["analytics-rollup"] = {
    "task": "adminpanel.rollup_analytics",
    "schedule": crontab(minute=45, hour=18),
}
# The percentage of last week's completed sessions picked for a random quality audit.
PEERLEARN_QUALITY_AUDIT_PERCENT = env_int("QUALITY_AUDIT_PERCENT", 5)

# Stored Idempotency-Key answers of the JSON API are forgotten after API_IDEMPOTENCY_DAYS.
CELERY_BEAT_SCHEDULE["api-prune-idempotency"] = {"task": "api.prune_idempotency_records", "schedule": 86400.0}

# Who may see the details of /api/health/* (which dependency failed, how many workers): staff, or this bearer token.
HEALTH_TOKEN = env_str("HEALTH_TOKEN", "")
# Recommendations: every student's list nightly (02:30 IST), events within a minute, the log pruned daily.
CELERY_BEAT_SCHEDULE["matching-precompute-recommendations"] = {
    "task": "matching.precompute_recommendations",
    "schedule": crontab(minute=0, hour=21),
}
CELERY_BEAT_SCHEDULE["matching-sweep-events"] = {"task": "matching.sweep_recommendation_events", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["matching-prune-interactions"] = {
    "task": "matching.prune_interactions",
    "schedule": crontab(minute=30, hour=22),
}
# Skill suggestions: the term counts behind them, hourly (seconds of work even at 50k students).
CELERY_BEAT_SCHEDULE["matching-refresh-suggestion-statistics"] = {
    "task": "matching.refresh_suggestion_statistics",
    "schedule": crontab(minute=15),
}
# Mentor cards' "next open slot": documents whose stored slot has passed, at most 500 a run.
CELERY_BEAT_SCHEDULE["matching-refresh-next-open-slots"] = {
    "task": "matching.refresh_next_open_slots",
    "schedule": 900.0,
}

# --- Auth ----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "accounts.validators.PersonalInfoValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Common and breached passwords in their usual disguises (Passw0rd!), from lists shipped in the repository.
    {"NAME": "accounts.validators.BreachedPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassesValidator"},
]
if IS_TEST:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and password reset answer the same whether or not the address has an account; the owner of an
# existing address is told by email instead.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = False if IS_TEST else {}
# Signed-in devices (allauth.usersessions): at most 3 at once (seed 000 §14.1); signing in a 4th time ends
# the oldest. "Last seen" is refreshed at most every 5 minutes per session.
# Where SMS go (phone verification codes): a class with send(to=, body=); the console prints them.
SMS_BACKEND = env_str("SMS_BACKEND", "accounts.sms.ConsoleSmsBackend")
# The production SMS backend (accounts.sms.TwilioSmsBackend) and its account; the API URL changes only in tests.
SMS_TWILIO_ACCOUNT_SID = env_str("SMS_TWILIO_ACCOUNT_SID", "")
SMS_TWILIO_AUTH_TOKEN = env_str("SMS_TWILIO_AUTH_TOKEN", "")
SMS_FROM_NUMBER = env_str("SMS_FROM_NUMBER", "")
SMS_TWILIO_API_URL = env_str("SMS_TWILIO_API_URL", "https://api.twilio.com")
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10)
# The local hour (in each user's own time zone) at which the daily notification digest is sent.
NOTIFICATION_DIGEST_HOUR = env_int("NOTIFICATION_DIGEST_HOUR", 18)
USERSESSIONS_TRACK_ACTIVITY = True
USERSESSIONS_SEEN_EVERY_SECONDS = 300
MAX_CONCURRENT_SESSIONS = 3
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PeerLearn"
# Staff (and, for payout details, mentors) must have two-factor sign-in; `make run` may turn it off for the demo.
PEERLEARN_REQUIRE_MFA_FOR_STAFF = env_bool("REQUIRE_MFA_FOR_STAFF", True)

SESSION_COOKIE_AGE = int(timedelta(hours=24).total_seconds())
STAFF_SESSION_COOKIE_AGE = int(timedelta(hours=1).total_seconds())

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# The seed locks the account, not the network: a school's shared IP must not lock out every student in it.
# Per-IP abuse is the rate limiter's job.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "login"
# allauth authenticates with `email=`, not the form field: without this axes never counts a failure.
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# Behind nginx every request arrives from the proxy's address: counting failed logins per REMOTE_ADDR would lock
# everyone out together. nginx sets X-Real-IP to the address it saw (deploy/nginx.conf, overwriting whatever the
# browser sent); allauth's rate limits and the axes log read the client from it. Empty where nothing proxies.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "X-Real-IP" if IS_PRODUCTION else "")
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = CLIENT_IP_HEADER or None
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"

# --- JSON API (/api/v1/) ---------------------------------------------------------------------------
# Mobile apps use allauth's headless "app" client (session tokens in X-Session-Token); the site keeps its pages.
HEADLESS_CLIENTS = ("app",)
HEADLESS_ONLY = False
# allauth's own OpenAPI description of those endpoints, at /api/v1/auth/openapi.json and .html (ReDoc, served by us).
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_SPECIFICATION_TEMPLATE_NAME = "api/auth_docs.html"
# No HEADLESS_FRONTEND_URLS: the links in the emails a headless sign-up or password reset sends open the site's own
# pages (an app can also read the key from the link and post it to the headless endpoint).
# Requests per minute on the API, per signed-in user and per client IP (Redis counters; fail open).
API_RATE_LIMIT_PER_USER = env_int("API_RATE_LIMIT_PER_USER", 300)
API_RATE_LIMIT_PER_IP = env_int("API_RATE_LIMIT_PER_IP", 600)
# Stored Idempotency-Key answers are kept this long.
API_IDEMPOTENCY_DAYS = env_int("API_IDEMPOTENCY_DAYS", 7)

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("hi", _("Hindi")),
    ("te", _("Telugu")),
    ("ta", _("Tamil")),
    ("bn", _("Bengali")),
    ("mr", _("Marathi")),
    ("kn", _("Kannada")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_USER_TIME_ZONE = "Asia/Kolkata"
LANGUAGE_COOKIE_NAME = "peerlearn_language"
# Numbers group the Indian way (1,23,456) in every language. Django's hi, te, ta, bn, mr and kn formats name no
# grouping, so these defaults apply to them; "en" names thousands, so mentorship/formats/en overrides it.
NUMBER_GROUPING = (3, 2, 0)
THOUSAND_SEPARATOR = ","
FORMAT_MODULE_PATH = ["mentorship.formats"]

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (development, browser tests) WhiteNoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "")
AWS_PRIVATE_BUCKET_NAME = env_str("AWS_PRIVATE_BUCKET_NAME", AWS_STORAGE_BUCKET_NAME)
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME", "ap-south-1")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL", "") or None
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID", "") or None
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY", "") or None
if AWS_STORAGE_BUCKET_NAME:
    _public_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": AWS_STORAGE_BUCKET_NAME, "querystring_auth": False, "file_overwrite": False},
    }
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_PRIVATE_BUCKET_NAME,
            "querystring_auth": True,
            "querystring_expire": 300,
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
else:
    _public_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/private-media/"},
    }
STORAGES = {
    "default": _public_storage,
    "private": _private_storage,
    "staticfiles": {
        "BACKEND": "mentorship.staticfiles.StaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email --------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.locmem.EmailBackend"
    if IS_TEST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
# Used by the file backend (the browser tests read the emails the server sends from here).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PeerLearn <no-reply@peerlearn.in>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Razorpay -----------------------------------------------------------------------------------
RAZORPAY_KEY_ID = env_str("RAZORPAY_KEY_ID", "")
RAZORPAY_KEY_SECRET = env_str("RAZORPAY_KEY_SECRET", "")
RAZORPAY_WEBHOOK_SECRET = env_str("RAZORPAY_WEBHOOK_SECRET", "")
# Where the SDK sends requests; tests point it at the local fake Razorpay server.
RAZORPAY_BASE_URL = env_str("RAZORPAY_BASE_URL", "") or None
RAZORPAY_TIMEOUT_SECONDS = env_int("RAZORPAY_TIMEOUT_SECONDS", 10)
# The RazorpayX business account that mentor payouts are paid from.
RAZORPAYX_ACCOUNT_NUMBER = env_str("RAZORPAYX_ACCOUNT_NUMBER", "")
# Without real keys the built-in test checkout signs results with this secret so the flow runs offline.
RAZORPAY_TEST_KEY_ID = "rzp_test_peerlearn_local"
RAZORPAY_TEST_KEY_SECRET = env_str("RAZORPAY_TEST_KEY_SECRET", "peerlearn-local-test-secret")
SLOT_HOLD_MINUTES = env_int("SLOT_HOLD_MINUTES", 10)

# Tax invoices and credit notes (payments/invoices.py): the supplier printed on them and the GST on the platform fee.
PLATFORM_LEGAL_NAME = env_str("PLATFORM_LEGAL_NAME", "PeerLearn Education Private Limited")
PLATFORM_ADDRESS = env_str("PLATFORM_ADDRESS", "Hyderabad, Telangana, India")
PLATFORM_GSTIN = env_str("PLATFORM_GSTIN", "")
# One of accounts.suggestions.INDIAN_STATES: a buyer in this state pays CGST + SGST, anyone else IGST.
PLATFORM_STATE = env_str("PLATFORM_STATE", "Telangana")
INVOICE_SAC_CODE = env_str("INVOICE_SAC_CODE", "999293")
GST_RATE_BASIS_POINTS = env_int("GST_RATE_BASIS_POINTS", 1800)
# Income tax withheld from mentors' earnings under section 194-O of the Income-tax Act (e-commerce operators):
# 0.1 % since 1 October 2024, and 5 % under section 206AA when the mentor gave no PAN (payments.tax).
TDS_194O_RATE_BASIS_POINTS = env_int("TDS_194O_RATE_BASIS_POINTS", 10)
TDS_NO_PAN_RATE_BASIS_POINTS = env_int("TDS_NO_PAN_RATE_BASIS_POINTS", 500)

# --- WebRTC --------------------------------------------------------------------------------------
STUN_URLS = env_list("STUN_URLS", "")
TURN_URLS = env_list("TURN_URLS", "")
TURN_USERNAME = env_str("TURN_USERNAME", "")
TURN_CREDENTIAL = env_str("TURN_CREDENTIAL", "")

# --- Live room ---------------------------------------------------------------------------------
ROOM_OPENS_MINUTES_BEFORE = 10
# How long after the scheduled end the room stays open (sessions overrun; the mentor ends them explicitly).
ROOM_GRACE_MINUTES = env_int("ROOM_GRACE_MINUTES", 30)
# Above this many members (mentor included) the room stops being a full video mesh: only the mentor sends video.
ROOM_MESH_MAX_VIDEO_SENDERS = 4
ROOM_MESSAGES_PER_SECOND = 50
MENTOR_NO_SHOW_MINUTES = 15
# Seed 000 §14.2 keeps session recordings for 2 years after the session.
RECORDING_RETENTION_DAYS = env_int("RECORDING_RETENTION_DAYS", 730)
RECORDING_CHUNK_MAX_BYTES = 8 * 1024 * 1024
TIP_MIN_PAISE = 10_00
TIP_MAX_PAISE = 10_000_00
TIP_PRESETS_RUPEES = (50, 100, 200, 500)
REVIEW_EDIT_DAYS = 7

# --- Messages between students and mentors (sessions_app.messaging) -------------------------------
# Per sender: messages in a rolling hour (fails open while Redis is down: a conversation keeps working) and new
# threads a day (fails closed: an outage is no time to let someone write to every mentor).
MESSAGES_PER_HOUR = env_int("MESSAGES_PER_HOUR", 60)
MESSAGE_THREADS_PER_DAY = env_int("MESSAGE_THREADS_PER_DAY", 10)
MESSAGE_IMAGE_MAX_SIDE = 1600

# --- Privacy: audit log, encryption at rest, exports and deletion ---------------------------------
# django-auditlog captures changes to these models (staff panel and admin edits, money, roles and permissions,
# two-factor devices) into the hash-chained accounts.AuditLogEntry. Free text a person typed and personal
# fields are left out or masked: the audit log is kept five years and outlives the accounts it mentions.
AUDITLOG_LOGENTRY_MODEL = "accounts.AuditLogEntry"
# auditlog's own migrations create its default table even when the model is swapped out (as here); an orphan
# table with a key to content types would then break `flush`. The swapped-in model has its own migrations.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {
        "model": "accounts.user",
        # payout_details: a reverse relation (payments), audited on its own and never in the user's log.
        "exclude_fields": ["password", "last_login", "updated_at", "photo", "payout_details"],
        "mask_fields": ["email", "full_name", "phone", "date_of_birth", "city"],
        "m2m_fields": ["groups", "user_permissions"],
    },
    {"model": "auth.group", "m2m_fields": ["permissions"]},
    {"model": "accounts.guardianconsent", "mask_fields": ["guardian_name", "guardian_email", "guardian_phone"]},
    {"model": "mfa.authenticator", "exclude_fields": ["data"]},
    {
        "model": "mentors.mentorprofile",
        "include_fields": ["verification_status", "is_active", "hourly_rate_paise", "approved_at"],
    },
    {
        "model": "payments.mentorpayoutdetails",
        "mask_fields": ["account_holder_name", "bank_account_number", "ifsc", "upi_id", "pan"],
    },
    {"model": "mentors.verificationevent", "exclude_fields": ["note"]},
    {"model": "payments.payment", "exclude_fields": ["description"]},
    "payments.refund",
    "payments.payout",
    {"model": "payments.payouthold", "exclude_fields": ["note", "release_note"]},
    {"model": "payments.payoutevent", "exclude_fields": ["note"]},
    "payments.payoutrun",
    {"model": "payments.ledgertransaction", "exclude_fields": ["memo"]},
    "payments.ledgerentry",
    {"model": "sessions_app.booking", "include_fields": ["status", "session", "student", "price_paise", "payment"]},
    {"model": "sessions_app.dispute", "include_fields": ["status", "booking", "resolved_by", "refund_paise"]},
    {"model": "accounts.accountdeletion"},
)
AUDITLOG_MASK_CALLABLE = "accounts.privacy.audit.mask_value"
# Keys for fields encrypted at rest (payout details): "<id>:<base64 of 32 random bytes>", newest first. Put a new
# key in front, deploy, then run `manage.py rotate_encryption_keys`; drop an old key only after that.
# `manage.py rotate_encryption_keys --new-key` prints a fresh key.
if IS_PRODUCTION:
    FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
else:
    FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "dev1:ZGV2LW9ubHkta2V5LWZvci1sb2NhbC11c2UtMDAwMDA")
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 5 * 365)
CHAT_RETENTION_DAYS = env_int("CHAT_RETENTION_DAYS", 365)
# Accounts nobody signed in to for this long are scheduled for deletion (with the usual 30 days' notice).
INACTIVE_ACCOUNT_DAYS = env_int("INACTIVE_ACCOUNT_DAYS", 3 * 365)

# --- Security -----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django.db.backends": {"level": "INFO"}},
}
