"""The application served as in production, for browser tests: gunicorn, DEBUG off, hashed
static files, on a database of its own filled by `load_demo`.

It is started through parcours/core/serve.py, the module `make demo` uses, so the browser
sees what a deployment serves (ADR 0008). The database is a fresh one on the suite's engine:
a SQLite file, or a PostgreSQL database next to the test database, dropped at the end.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from parcours.core import serve

BASE_DIR = Path(settings.BASE_DIR)


@dataclass
class ProductionServer:
    url: str
    database_url: str
    env: dict

    def manage(self, *args: str) -> str:
        """Run a management command against the served database; returns its output."""
        result = subprocess.run(  # noqa: S603 (our interpreter, our manage.py)
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            env=self.env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_admin_url(database: dict) -> str:
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}"


def _create_database(tmp_dir: Path) -> tuple[str, callable]:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        path = tmp_dir / "production.sqlite3"
        return f"sqlite:///{path}", lambda: None
    import psycopg

    base = _postgres_admin_url(database)
    name = f"parcours_production_e2e_{os.getpid()}"

    def run(statement: str) -> None:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(statement)

    run(f"DROP DATABASE IF EXISTS {name}")
    run(f"CREATE DATABASE {name}")
    return f"{base}/{name}", lambda: run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/sante/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def start(tmp_dir: Path, *, workers: int = 3):
    """Start the production server; returns (server, stop)."""
    database_url, drop = _create_database(tmp_dir)
    env = serve.production_env(database_url=database_url)
    server = ProductionServer(url="", database_url=database_url, env=env)
    # collectstatic (minutes when the static files changed, else nothing) runs alongside the
    # database's migrate and load_demo: they share nothing.
    with ThreadPoolExecutor(max_workers=1) as pool:
        collected = pool.submit(serve.collectstatic, env)
        server.manage("migrate", "--noinput", "-v", "0")
        server.manage("load_demo", "-v", "0")
        collected.result()
    port = _free_port()
    server.url = f"http://127.0.0.1:{port}"
    log = open(tmp_dir / "gunicorn.log", "w")  # noqa: SIM115 (closed by stop)
    process = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
        serve.gunicorn_command(f"127.0.0.1:{port}", workers),
        env=env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def stop():
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        drop()

    try:
        _wait_until_up(server.url, process)
    except Exception:
        stop()
        raise
    return server, stop
