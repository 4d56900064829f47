"""Django settings for Parcours, read from environment variables (twelve-factor style).

Every deployment-specific value comes from the environment; the defaults are those of a
developer's machine (SQLite under var/, console e-mail). Production sets DEBUG off, a real
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; `manage.py check --deploy` is then clean.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean from the environment: 1/true/yes/on (any case) mean True."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list from the environment, ignoring blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)
# Demo and test runs carry no secret. The fallback's "django-insecure-" prefix makes
# `check --deploy` fail (security.W009), so a production without SECRET_KEY is caught.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-parcours-dev-only-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "parcours.core.admin_site.ParcoursAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Trigram lookups of the person search (people/models.py), PostgreSQL only.
    "django.contrib.postgres",
    "django_htmx",
    "huey.contrib.djhuey",
    "widget_tweaks",
    "dsfr",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "parcours.core",
    "parcours.accounts",
    "parcours.territories",
    "parcours.organisations",
    "parcours.people",
    "parcours.reception",
    "parcours.referrals",
    "parcours.employment",
    "parcours.messaging",
    "parcours.privacy",
    "parcours.indicators",
    "parcours.partnerships",
    "parcours.api",
    "parcours.www",
    "parcours.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: no-store, private on every answer past the static files (any may carry
    # a person); outermost, so that redirects and refusals of later middleware get it too.
    "parcours.core.middleware.NoStoreMiddleware",
    # Content-Security-Policy on every response (see CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the session verified once the TOTP code is checked (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # Denied by default: every view needs a signed-in user unless marked otherwise.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "parcours.organisations.middleware.CurrentMembershipMiddleware",
    # A role that needs two-factor authentication reaches nothing before its TOTP code.
    "parcours.accounts.middleware.SecondFactorRequiredMiddleware",
    # Who changes a tracked record (field-level change history).
    "parcours.privacy.middleware.CurrentUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Query strings with NUL or other control characters get a 400, never a server error.
    "parcours.core.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a lockout into the login page with its message.
    "axes.middleware.AxesMiddleware",
]

# `make bench` (issue 12): the statements of each request in a response header, and the floor
# page (a bare view). Never set in production.
PARCOURS_BENCH = env_bool("PARCOURS_BENCH", False)
if PARCOURS_BENCH:
    MIDDLEWARE.insert(0, "parcours.www.bench.middleware.QueryCountMiddleware")

ROOT_URLCONF = "parcours.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parcours.core.context_processors.site_config",
                "parcours.organisations.context_processors.membership",
                "parcours.www.navigation.navigation",
                "parcours.accounts.context_processors.csp_nonce",
            ],
        },
    },
]
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"

WSGI_APPLICATION = "parcours.wsgi.application"

DATABASE_URL = (
    os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'parcours.sqlite3'}"
)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let concurrent requests of the demo wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}

# Issue 12: reports and exports may read from a PostgreSQL read replica (core.replica); the
# test suite points the alias at the same database (TEST MIRROR, tests/settings.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("CONN_MAX_AGE", 0)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["parcours.core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: refuses any attempt while the account or address is locked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign-in through the state's agent identity federation; inert unless OIDC_* is configured.
    "parcours.accounts.oidc.ParcoursOIDCBackend",
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "static")
# Parcours' own assets (htmx, CSS, JS) live in the package, not in an app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("PARCOURS_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Only the fingerprinted copies are served (every URL comes from {% static %}), so the
# originals are not kept nor compressed: half the files, half the time of collectstatic.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Files holding personal data that wait for a background task (person imports): never
# served, deleted when the task ends (people.import_models).
PRIVATE_ROOT = os.environ.get("PRIVATE_ROOT") or str(BASE_DIR / "var" / "private")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "parcours@localhost")
# The address users reach Parcours at, for links in e-mails (no request to build it from).
PARCOURS_BASE_URL = os.environ.get("PARCOURS_BASE_URL", "http://127.0.0.1:8000")

# Sessions expire after inactivity: a reception laptop left open must not stay signed in.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 2)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp 4): everything is served by the application itself, no
# inline script or style. DSFR icons are data: SVG images; the nonce is offered to the DSFR
# module script that django-dsfr's base template tags with request.csp_nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Throttling of failed sign-ins (django-axes): per account and, separately, per address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# ["username", "ip_address"], or only the address when no account was named (OIDC callback).
AXES_LOCKOUT_PARAMETERS = "parcours.accounts.throttling.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
# Lockouts are recorded in the database (axes.AccessAttempt); no banner on every command.
AXES_VERBOSE = False
# The login form's field is "username" although users sign in with their e-mail address.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "parcours.accounts.throttling.username_from_request"
AXES_LOCKOUT_CALLABLE = "parcours.www.lockout.lockout_response"
# The client address counts only when it cannot be forged: REMOTE_ADDR, or, behind
# PARCOURS_TRUSTED_PROXIES reverse proxies, the address the outermost proxy appended to
# X-Forwarded-For (accounts.throttling.client_ip). Production must say how many proxies there
# are, even 0: `check --deploy` refuses it unset (parcours.E004, issue 10).
_trusted_proxies = os.environ.get("PARCOURS_TRUSTED_PROXIES", "").strip()
PARCOURS_TRUSTED_PROXIES = int(_trusted_proxies) if _trusted_proxies else (0 if DEBUG else None)
AXES_CLIENT_IP_CALLABLE = "parcours.accounts.throttling.client_ip"

# Two-factor authentication (TOTP, django-otp). Required for OFII and DREETS roles; for
# partners, each DT decides (accounts.TwoFactorPolicy). Only the test settings turn it off.
OTP_TOTP_ISSUER = "Parcours"
PARCOURS_TOTP_ENFORCED = True
# `make demo` runs with DEBUG: its demo accounts may skip TOTP; `check --deploy` refuses it.
PARCOURS_DEMO_SKIP_2FA = env_bool("PARCOURS_DEMO_SKIP_2FA", DEBUG)

# Sign-in through the state's agent identity federation (ProConnect), a standard OpenID
# Connect provider. Enabled only when every OIDC_* variable below is set.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "ProConnect")
OIDC_ENABLED = all(
    [
        OIDC_RP_CLIENT_ID,
        OIDC_RP_CLIENT_SECRET,
        OIDC_OP_AUTHORIZATION_ENDPOINT,
        OIDC_OP_TOKEN_ENDPOINT,
        OIDC_OP_USER_ENDPOINT,
        OIDC_OP_JWKS_ENDPOINT,
    ]
)
OIDC_USE_PKCE = True
# Accounts are created by an administrator; the federation only proves who signs in.
OIDC_CREATE_USER = False
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"

# Privacy: access-log rows are purged after this many months (CNIL: 6 to 12 months).
PARCOURS_ACCESS_LOG_RETENTION_MONTHS = env_int("PARCOURS_ACCESS_LOG_RETENTION_MONTHS", 12)
# Upper bound of an uploaded file (imports, attachments), in megabytes.
PARCOURS_UPLOAD_MAX_MB = env_int("PARCOURS_UPLOAD_MAX_MB", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes reports every sign-in at INFO; lockouts come at WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

# REST API (/api/v1/): bearer tokens bound to a membership, or the browser session; the
# permission matrix decides, as for pages. OpenAPI document by drf-spectacular, Swagger UI
# served from the application (sidecar), never from a CDN.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "parcours.api.authentication.MembershipTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["parcours.api.permissions.MatrixPermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "parcours.api.pagination.BoundedLimitOffsetPagination",
    # Errors are RFC 9457 problem documents (issue 14).
    "EXCEPTION_HANDLER": "parcours.api.problems.problem_exception_handler",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Per token (issue 17); the rate is PARCOURS_API_RATE below, read at each request.
    "DEFAULT_THROTTLE_CLASSES": ["parcours.api.throttling.TokenRateThrottle"],
}
PARCOURS_API_RATE = os.environ.get("PARCOURS_API_RATE", "600/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Parcours API",
    "DESCRIPTION": "API des directions territoriales de l'OFII et de leurs partenaires.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "parcours.api.links.add_links",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RefusalReasonEnum": "parcours.referrals.states.RefusalReason",
        "DropOutReasonEnum": "parcours.referrals.states.DropOutReason",
        # Two resources have a field named "kind": a scheme's and a change of situation's.
        "SchemeKindEnum": "parcours.referrals.models.SchemeKind",
        "SituationKindEnum": "parcours.people.situations.SituationKind",
    },
}

# Background tasks: Huey, with SQLite storage on a single machine (demo, small DT) and Redis
# when REDIS_URL is set (production, several workers). Tests run tasks immediately.
REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache holds computed figures only, under the generation that keys them
# (indicators/freshness.py): shared by every application server when REDIS_URL is set; else each
# process keeps its own (correct too: the generation is read from the database).
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
# Seconds a cached page of figures lives without a write (0 turns the cache off).
PARCOURS_FIGURES_CACHE_SECONDS = env_int("PARCOURS_FIGURES_CACHE_SECONDS", 600)
HUEY = {
    "name": "parcours",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    # Huey opens its file on import: the folder must exist even on a fresh clone.
    (BASE_DIR / "var").mkdir(exist_ok=True)
    HUEY.update(
        {"huey_class": "huey.SqliteHuey", "filename": str(BASE_DIR / "var" / "tasks.sqlite3")}
    )

# Messages to convoked persons (issue 18, parcours.messaging): e-mails go through EMAIL_*;
# SMS through a pluggable backend, a file under var/sms/ by default (demo, development), the
# HTTP adapter of the SMS provider in production. Its delivery callbacks are signed with
# SMS_CALLBACK_SECRET (HMAC-SHA256 of the body).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "parcours.messaging.sms.FileBackend")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(BASE_DIR / "var" / "sms"))
SMS_API_URL = os.environ.get("SMS_API_URL", "")
SMS_API_TOKEN = os.environ.get("SMS_API_TOKEN", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "OFII")
SMS_CALLBACK_SECRET = os.environ.get("SMS_CALLBACK_SECRET", "")
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10)

# Demo accounts (make demo) are flagged so that a production check can refuse them.
PARCOURS_DEMO = env_bool("PARCOURS_DEMO", DEBUG)
