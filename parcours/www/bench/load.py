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


def run_scenario(host, port, scenario: dict, clients: int) -> dict:
    requests = [
        Request(r["method"], r["path"], r.get("headers", {}), r.get("body", "").encode("latin-1"))
        for r in scenario["requests"]
    ]
    count = scenario["count"]
    expected = set(scenario.get("expect", [200]))
    warmup = scenario.get("warmup", 0)
    for request in requests[:warmup]:
        send(host, port, request)
    lock = threading.Lock()
    state = {"next": warmup, "done": 0}
    timings, queries, errors = [], [], []
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
        print(
            f"  {scenario['name']}: {results[-1]['requests']} requêtes, "
            f"p95 {results[-1]['p95_ms']:.0f} ms",
            file=sys.stderr,
            flush=True,
        )
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
