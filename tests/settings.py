"""Settings for the test suite: production settings with fast hashing and plain static files."""

import atexit
import shutil
import tempfile

from parcours.settings import *  # noqa: F403
from parcours.settings import DATABASES, STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Argon2 is deliberately slow; tests that check hashing read parcours.settings directly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "parcours.messaging.sms.LocmemBackend"
SECURE_SSL_REDIRECT = False
# A folder of its own, left empty: WhiteNoise indexes STATIC_ROOT whenever a middleware chain
# is built, i.e. for every test Client, and the production server of the e2e tests collects
# some 5,000 files into var/static (a few tenths of a second per test, most of the suite's
# time once collected). No test reads it: the tests' storage serves from the apps (finders).
STATIC_ROOT = BASE_DIR / "var" / "test-static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # silences whitenoise's warning
HUEY = {**HUEY, "immediate": True}  # noqa: F405
# The suite's clients sign in with force_login and stand for sessions that completed both
# steps; tests/test_security_totp.py turns the requirement back on to test it.
PARCOURS_TOTP_ENFORCED = False
# The read replica of reports and exports (parcours.core.replica) is the same database here,
# as a test mirror: the router's choices run in every test and read the test's own data.
if "replica" not in DATABASES:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
# Generous for the suite (Schemathesis sends thousands of requests with one token);
# tests/test_api_referrals.py lowers it to see the 429.
PARCOURS_API_RATE = "1000000/minute"
# The figures' cache is raised after each commit (parcours/core/freshness.py); a test's writes
# never commit (each test is a rolled-back transaction), so the suite computes the figures on
# every read, and tests/test_figures_cache.py turns the cache on to test it, commits included.
PARCOURS_FIGURES_CACHE_SECONDS = 0
# Uploaded import files of the suite: a folder of the run, removed at exit.
PRIVATE_ROOT = tempfile.mkdtemp(prefix="parcours-private-")
atexit.register(shutil.rmtree, PRIVATE_ROOT, True)
