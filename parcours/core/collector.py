"""Python's cyclic garbage collector held back during bulk work (a 100,000-row import).

A Django process holds hundreds of thousands of long-lived objects (modules, models, URL
patterns, translations), and an import's preview adds the persons born on the file's dates
(tens of thousands of tuples) and creates millions of small objects. With CPython's default
thresholds (700, 10, 10) the collector runs a young pass every 700 allocations and, every
hundred of those, an older pass over everything alive. py-spy showed that time spread over
random lines (a validator, a signal, a field default). Measured on a 100,000-row import with
100,000 persons on file (`manage.py bench_imports`, SQLite, processor time, runs with and
without interleaved): preview 11.0–11.4 → 8.7–8.8 s, commit 13.5 → 10.1–12.4 s
(docs/benchmarks.md, « Garbage collector and per-object costs »).

Inside `bulk_work`, the objects alive when it starts are frozen (`gc.freeze`: never scanned
until `gc.unfreeze`) and the thresholds raised. Nothing is turned off: reference cycles made
during the work are still collected, less often; at the end the frozen objects go back to the
oldest generation and the thresholds come back (the web process and the task worker go on
with their own settings).
"""

import gc
from contextlib import contextmanager

# Young generation every 50,000 allocations (not 700), the older ones 20 and 100 times less
# often than that (not 10 and 10): the best of the settings tried (docs/benchmarks.md).
BULK_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def bulk_work():
    """Collect less often inside the block (a nested block keeps the outer one's setting)."""
    before = gc.get_threshold()
    if before == BULK_THRESHOLDS:
        yield  # already inside bulk work
        return
    gc.freeze()
    gc.set_threshold(*BULK_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
