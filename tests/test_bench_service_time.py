"""`make bench`'s service time (issue 12): the one-client run's columns and the CPU header."""

from django.http import HttpResponse

from parcours.www.bench import load, runner
from parcours.www.bench.middleware import CPU_HEADER, HEADER, QueryCountMiddleware


def _row(name, p95, **extra):
    return {
        "name": name,
        "requests": 400,
        "seconds": 10.0,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "throughput": 40.0,
        "queries_min": 3,
        "queries_max": 3,
        "errors": 0,
        "first_errors": [],
        **extra,
    }


def _report(rows, persons=10_000):
    return {
        "database": "bench",
        "persons": persons,
        "month": "2026-01",
        "year": 2025,
        "clients": 16,
        "workers": 4,
        "machine": {"cpus": 2},
        "pages": rows,
    }


def test_the_table_gives_the_one_client_p50_and_the_queueing_bound():
    report = _report(
        [
            _row("plancher", 12.0, service_p50_ms=1.5, service_cpu_ms=1.0),
            _row("fiche du jour", 400.0, service_p50_ms=50.0, service_cpu_ms=40.0),
        ]
    )
    lines = runner.table([report]).splitlines()
    sheet = next(line for line in lines if line.startswith("fiche du jour"))
    # 16 clients / 2 CPUs × 50 ms alone: 400 ms to expect under load.
    assert "50 ms" in sheet and "40 ms" in sheet and "400 ms" in sheet
    assert "1 client p50" in lines[0] and "borne 16/2" in lines[0]


def test_a_run_saved_before_the_service_time_still_compares():
    old = _report([_row("plancher", 12.0), _row("fiche du jour", 400.0)])
    new = _report(
        [
            _row("plancher", 10.0, service_p50_ms=1.5, service_cpu_ms=1.0),
            _row("fiche du jour", 300.0, service_p50_ms=30.0, service_cpu_ms=25.0),
        ],
        persons=1_000_000,
    )
    table = runner.table([old, new])
    sheet = next(line for line in table.splitlines() if line.startswith("fiche du jour"))
    assert "240 ms" in sheet  # the large run's bound: 16 / 2 × 30 ms
    assert runner.queueing_bound(old, old["pages"][1]) is None


def test_the_bench_middleware_reports_statements_and_cpu_milliseconds():
    response = QueryCountMiddleware(lambda request: HttpResponse("x"))(object())
    assert response[HEADER] == "0"
    assert float(response[CPU_HEADER]) >= 0
    assert load.CPU_HEADER == CPU_HEADER and load.QUERIES_HEADER == HEADER


def test_the_service_run_is_one_client_then_the_load(monkeypatch):
    """The service run sends its own requests one after the other, before the 16 clients."""
    sent = []

    def fake_send(host, port, request, timeout=120):
        sent.append(request.path)
        return 200, {CPU_HEADER.lower(): ["7.5"], HEADER.lower(): ["4"]}, b""

    monkeypatch.setattr(load, "send", fake_send)
    one = {"method": "GET", "path": "/alone/"}
    scenario = {
        "name": "page",
        "requests": [{"method": "GET", "path": "/load/"}],
        "count": 5,
        "warmup": 0,
        "max_seconds": 10,
        "service": {"requests": [one], "warmup": 2, "count": 3, "max_seconds": 10},
    }
    result = load.run_scenario("127.0.0.1", 1, scenario, clients=2)
    assert sent == ["/alone/"] * 5 + ["/load/"] * 5
    assert result["service_requests"] == 3 and result["service_cpu_ms"] == 7.5
    assert result["cpu_p50_ms"] == 7.5 and result["queries_max"] == 4


def test_the_table_shows_the_statements_of_a_cache_miss_beside_the_others():
    report = _report(
        [
            _row("plancher", 12.0),
            _row("accueil", 100.0, queries_min=12, queries_max=18),
            _row("dossier", 100.0, queries_min=16, queries_max=16),
        ]
    )
    lines = runner.table([report]).splitlines()
    home = next(line for line in lines if line.startswith("accueil"))
    record = next(line for line in lines if line.startswith("dossier"))
    assert " 12-18 " in home
    assert " 16 " in record and "16-16" not in record


def test_the_server_shares_only_the_bench_redis_and_never_one_of_the_environment(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("DATABASE_URL", "postgres://bench")
    assert "REDIS_URL" not in runner._server_env(8000)
    assert runner._server_env(8000, "redis://127.0.0.1:6379/15")["REDIS_URL"].endswith("/15")


def test_without_a_reachable_bench_redis_each_worker_keeps_its_cache(monkeypatch):
    said = []
    monkeypatch.delenv("BENCH_REDIS_URL", raising=False)
    assert runner.shared_cache(said.append) == ""
    monkeypatch.setenv("BENCH_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    assert runner.shared_cache(said.append) == ""
    assert said and "Redis injoignable" in said[0]
