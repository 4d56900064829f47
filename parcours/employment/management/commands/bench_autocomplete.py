"""Time the job-title search over the 11,061 ROME titles: p50/p95 per query (`make bench`).

Issue 20: the autocomplete answers in under 50 ms at p95. The queries are typed the way agents
type: whole words, prefixes (typing in progress), no accents, upper case and typos, built from
the referential itself with a fixed seed so that two runs measure the same thing. The index is
built once (timed apart), as a server process does on its first search.
"""

import random
import statistics
import time

from django.core.management.base import BaseCommand

from parcours.employment import search
from parcours.employment.models import JobTitle

TARGET_P95_MS = 50.0


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    index = rng.randrange(1, len(word) - 1)
    return word[:index] + rng.choice("aeioubnrst") + word[index + 1 :]


def queries(labels: list[str], count: int, seed: int = 20) -> list[str]:
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        words = search.normalise(rng.choice(labels)).split() or ["macon"]
        word = rng.choice(words)
        style = rng.randrange(5)
        if style == 0:
            made.append(word)  # a whole word, accents dropped
        elif style == 1:
            made.append(word[: max(2, len(word) // 2)])  # typing in progress
        elif style == 2:
            made.append(_typo(word, rng))  # a typo
        elif style == 3:
            made.append(" ".join(words[:2]).upper())  # two words, upper case
        else:
            made.append(rng.choice(labels))  # the title as printed, accents and all
    return made


class Command(BaseCommand):
    help = "Mesure la recherche d'appellations ROME (p50, p95) sur les 11 061 appellations."

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=int, default=2000)

    def handle(self, *args, **options):
        search.reset_index()
        start = time.perf_counter()
        index = search.index()
        built_ms = (time.perf_counter() - start) * 1000
        labels = list(JobTitle.objects.values_list("label", flat=True))
        asked = queries(labels, options["queries"])
        timings = []
        empty = 0
        for query in asked:
            start = time.perf_counter()
            hits = index.search(query, limit=10)
            timings.append((time.perf_counter() - start) * 1000)
            empty += not hits
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        self.stdout.write(
            f"job-title search: {len(index)} titles, index built in {built_ms:.0f} ms; "
            f"{len(asked)} queries: p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {timings[-1]:.2f} ms; "
            f"{empty} without a result (target p95 < {TARGET_P95_MS:.0f} ms: "
            f"{'met' if p95 < TARGET_P95_MS else 'MISSED'})"
        )
