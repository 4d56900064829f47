"""Serve Parcours on this machine as production does: gunicorn, DEBUG off, hashed static files.

`make demo`, the browser journeys (tests/e2e/production.py) and `make guide` all start the
application through this module, so what they show is what production serves: the same
settings module, middleware, security headers, WhiteNoise's compressed manifest storage and
collectstatic. Only what a loopback address forces differs, and each is said below.

    python -m parcours.core.serve --bind 127.0.0.1:8000 --workers 3
"""

import argparse
import fcntl
import hashlib
import importlib.metadata
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SECRET_FILE = BASE_DIR / "var" / "secret_key"


def local_secret() -> str:
    """A secret generated once for this clone (var/ is not in the repository)."""
    if not SECRET_FILE.exists():
        SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        SECRET_FILE.write_text(secrets.token_urlsafe(50))
        SECRET_FILE.chmod(0o600)
    return SECRET_FILE.read_text().strip()


def production_env(*, database_url: str | None = None, static_root: str | None = None) -> dict:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the production settings, never the tests'
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": env.get("SECRET_KEY") or local_secret(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on the loopback: production's TLS proxy redirects to HTTPS instead.
            "SECURE_SSL_REDIRECT": "0",
            # gunicorn faces the browser directly: no proxy's address to skip.
            "PARCOURS_TRUSTED_PROXIES": "0",
            # The demo accounts (and only they, flagged is_demo) sign in without a TOTP code;
            # `check --deploy` refuses this setting, so it cannot reach a real deployment.
            "PARCOURS_DEMO": "1",
            "PARCOURS_DEMO_SKIP_2FA": env.get("PARCOURS_DEMO_SKIP_2FA", "1"),
        }
    )
    env.pop("PARCOURS_PLAIN_STATIC", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    if static_root:
        env["STATIC_ROOT"] = static_root
    return env


def static_fingerprint() -> str:
    """What the collected files are made from: Parcours' static folders and every package."""
    digest = hashlib.sha256()
    for folder in sorted((BASE_DIR / "parcours").glob("**/static")):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                name = path.relative_to(BASE_DIR)
                digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    # A set: with the project's root on sys.path its own metadata is found twice.
    packages = importlib.metadata.distributions()
    versions = sorted({f"{package.metadata['Name']}=={package.version}" for package in packages})
    digest.update("\n".join(versions).encode())
    return digest.hexdigest()


def collectstatic(env: dict) -> None:
    """collectstatic, skipped when nothing it is made from changed (it takes minutes: WhiteNoise
    compresses some 10,000 files)."""
    root = Path(env.get("STATIC_ROOT") or BASE_DIR / "var" / "static")
    root.mkdir(parents=True, exist_ok=True)
    stamp = root / ".parcours-fingerprint"
    fingerprint = static_fingerprint()
    # One collectstatic at a time per folder (make demo and a test run may start together).
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        collected = (root / "staticfiles.json").exists() and stamp.exists()
        if collected and stamp.read_text() == fingerprint:
            return
        subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
            env=env,
            check=True,
            cwd=BASE_DIR,
        )
        stamp.write_text(fingerprint)


def gunicorn_command(bind: str, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "parcours.wsgi",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1:8000")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--database-url")
    parser.add_argument("--static-root")
    options = parser.parse_args(argv)
    env = production_env(database_url=options.database_url, static_root=options.static_root)
    collectstatic(env)
    command = gunicorn_command(options.bind, options.workers)
    os.chdir(BASE_DIR)
    os.execve(command[0], command, env)  # noqa: S606 (our own interpreter, fixed arguments)


if __name__ == "__main__":
    main()
