"""The load generator of `make bench`: N concurrent HTTP clients on 127.0.0.1, in its own process.

Run as `python -m parcours.www.bench.load`, it reads a plan (JSON) on standard input and
writes the measures (JSON) on standard output. Standard library only, no Django: the clients
must not share the server's interpreter or its imports. Each scenario is bounded in count and
in time; the plan names the loopback address only (anything else is refused).
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

QUERIES_HEADER = "X-Parcours-Queries"
CPU_HEADER = "X-Parcours-CPU-Ms"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def send(host: str, port: int, request: Request, timeout: float = 120) -> tuple[int, dict, bytes]:
    """One request on a fresh connection (gunicorn's sync workers close it after each answer)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(
            request.method, request.path, body=request.body or None, headers=request.headers
        )
        response = connection.getresponse()
        body = response.read()
        headers = {}
        for name, value in response.getheaders():
            headers.setdefault(name.lower(), []).append(value)
        return response.status, headers, body
    finally:
        connection.close()


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (the one bench_reports uses)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[rank]


def _requests(listed: list[dict]) -> list[Request]:
    return [
        Request(r["method"], r["path"], r.get("headers", {}), r.get("body", "").encode("latin-1"))
        for r in listed
    ]


def _cpu(headers: dict) -> float | None:
    value = headers.get(CPU_HEADER.lower(), [""])[0]
    try:
        return float(value)
    except ValueError:
        return None


def run_service(host, port, service: dict) -> dict:
    """One client, one request after the other: the page's service time, without queueing.

    What 16 clients on 2 cores then wait is about 16 / 2 of it, so a slow page under load can
    be told apart from a page that is slow alone (issue 12)."""
    requests = _requests(service["requests"])
    warmup = service.get("warmup", 0)
    expected = set(service.get("expect", [200]))
    for index in range(warmup):
        send(host, port, requests[index % len(requests)])
    timings, cpus, errors = [], [], 0
    deadline = time.monotonic() + service["max_seconds"]
    for index in range(warmup, warmup + service["count"]):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        try:
            status, headers, _body = send(host, port, requests[index % len(requests)])
        except OSError:
            errors += 1
            continue
        timings.append((time.perf_counter() - start) * 1000)
        errors += status not in expected
        cpu = _cpu(headers)
        if cpu is not None:
            cpus.append(cpu)
    return {
        "service_requests": len(timings),
        "service_p50_ms": percentile(timings, 0.50),
        "service_cpu_ms": percentile(cpus, 0.50) if cpus else None,
        "service_errors": errors,
    }


def run_scenario(host, port, scenario: dict, clients: int) -> dict:
    service = run_service(host, port, scenario["service"]) if scenario.get("service") else {}
    requests = _requests(scenario["requests"])
    count = scenario["count"]
    expected = set(scenario.get("expect", [200]))
    warmup = scenario.get("warmup", 0)
    # Every warm-up request, not one per distinct request: each worker must have served the
    # page once (its imports, its template cache) before the timings start.
    for index in range(warmup):
        send(host, port, requests[index % len(requests)])
    lock = threading.Lock()
    state = {"next": warmup, "done": 0}
    timings, queries, cpus, errors = [], [], [], []
    deadline = time.monotonic() + scenario["max_seconds"]

    def client():
        while True:
            with lock:
                index = state["next"]
                if index >= warmup + count or time.monotonic() > deadline:
                    return
                state["next"] += 1
            request = requests[index % len(requests)]
            start = time.perf_counter()
            try:
                status, headers, _body = send(host, port, request)
            except OSError as error:
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                timings.append(elapsed)
                if status not in expected:
                    errors.append(f"HTTP {status} {request.method} {request.path}")
                value = headers.get(QUERIES_HEADER.lower(), [""])[0]
                if value.isdigit():
                    queries.append(int(value))
                cpu = _cpu(headers)
                if cpu is not None:
                    cpus.append(cpu)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "name": scenario["name"],
        "requests": len(timings),
        "seconds": wall,
        "p50_ms": percentile(timings, 0.50),
        "p95_ms": percentile(timings, 0.95),
        "throughput": len(timings) / wall if wall else 0.0,
        "queries_min": min(queries) if queries else None,
        "queries_max": max(queries) if queries else None,
        "errors": len(errors),
        "first_errors": errors[:3],
        # CPU of a request under load (worker's process time), beside the service run's.
        "cpu_p50_ms": percentile(cpus, 0.50) if cpus else None,
        **service,
    }


def main() -> int:
    plan = json.load(sys.stdin)
    parts = urlsplit(plan["base"])
    if parts.hostname not in LOOPBACK:
        print(json.dumps({"error": "the load generator only talks to 127.0.0.1"}))
        return 2
    results = []
    for scenario in plan["scenarios"]:
        results.append(run_scenario(parts.hostname, parts.port, scenario, plan["clients"]))
        result = results[-1]
        alone = (
            f", seul p50 {result['service_p50_ms']:.0f} ms" if "service_p50_ms" in result else ""
        )
        print(
            f"  {scenario['name']}: {result['requests']} requêtes, "
            f"p95 {result['p95_ms']:.0f} ms{alone}",
            file=sys.stderr,
            flush=True,
        )
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
