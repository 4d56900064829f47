"""Scale-out settings (issue 12): a read replica, tasks on Redis, nothing kept in a process."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
import django
from django.conf import settings
django.setup()
from huey.contrib.djhuey import HUEY
replica = settings.DATABASES.get("replica", {})
print(json.dumps({
    "replica_host": replica.get("HOST"),
    "replica_mirror": replica.get("TEST", {}).get("MIRROR"),
    "routers": settings.DATABASE_ROUTERS,
    "huey": type(HUEY).__name__,
    "huey_host": HUEY.storage.conn.connection_pool.connection_kwargs.get("host")
        if type(HUEY).__name__ == "RedisHuey" else None,
    "sessions": settings.SESSION_ENGINE,
    "bench": settings.PARCOURS_BENCH,
    "middleware": settings.MIDDLEWARE[0],
}))
"""


def read_settings(**env) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "PARCOURS_BENCH"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="parcours.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, cwd=ROOT, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_replica_url_adds_the_replica_alias_behind_the_router():
    values = read_settings(
        DATABASE_URL="postgres://parcours@primary.internal/parcours",
        DATABASE_REPLICA_URL="postgres://parcours@replica.internal/parcours",
    )
    assert values["replica_host"] == "replica.internal"
    assert values["replica_mirror"] == "default"
    assert values["routers"] == ["parcours.core.replica.ReplicaRouter"]


def test_without_a_replica_url_there_is_no_replica():
    assert read_settings()["replica_host"] is None


def test_a_redis_url_puts_the_task_queue_on_redis_for_several_machines():
    values = read_settings(REDIS_URL="redis://queue.internal:6379/0")
    assert values["huey"] == "RedisHuey"
    assert values["huey_host"] == "queue.internal"
    assert read_settings()["huey"] == "SqliteHuey"


def test_sessions_live_in_the_database_not_in_a_process():
    # Any application server answers any request: no session state in memory or on disk.
    assert read_settings()["sessions"] == "django.contrib.sessions.backends.db"


def test_the_bench_middleware_and_floor_exist_only_under_parcours_bench():
    assert read_settings()["bench"] is False
    assert read_settings()["middleware"] != "parcours.www.bench.middleware.QueryCountMiddleware"
    values = read_settings(PARCOURS_BENCH="1")
    assert values["middleware"] == "parcours.www.bench.middleware.QueryCountMiddleware"
