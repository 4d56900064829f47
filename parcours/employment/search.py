"""Job-title search tolerant to missing accents, case and typos, on an in-memory index.

The 11,061 ROME job titles are read once per process into a word index: each query word is
matched to the index's words by prefix (typing in progress) or, from four letters on, by
similarity (rapidfuzz's normalised Levenshtein ratio, so « boulenger » finds « boulanger »);
a title scores the sum of its best word scores. Accents and case go through Unidecode.
`make bench` measures it (manage.py bench_autocomplete; docs/benchmarks.md).
"""

import bisect
import re
import threading
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from unidecode import unidecode

# A query word this long or longer may be a misspelling of an indexed word.
FUZZY_MIN_LENGTH = 4
# Below this similarity (0–100) two words are different words (« macon » vs « maison » is 73).
FUZZY_CUTOFF = 80
# Query words kept: the autocomplete reads a few words, not a text.
MAX_QUERY_WORDS = 6
MAX_QUERY_LENGTH = 100

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, no accents, single spaces: « Maçon / Maçonne » → « macon maconne »."""
    return _NON_WORD.sub(" ", unidecode(text or "").lower()).strip()


@dataclass(frozen=True)
class Hit:
    ogr_code: int
    label: str
    rome_code: str
    occupation: str
    score: float

    def as_dict(self) -> dict:
        return {
            "ogr_code": self.ogr_code,
            "label": self.label,
            "rome_code": self.rome_code,
            "occupation": self.occupation,
        }


class JobTitleIndex:
    """The job titles with their words; built from rows (ogr_code, label, rome_code, occupation)."""

    def __init__(self, rows):
        self.titles = []
        postings: dict[str, set[int]] = {}
        for position, (ogr_code, label, rome_code, occupation) in enumerate(rows):
            self.titles.append((ogr_code, label, rome_code, occupation))
            for word in set(normalise(label).split()):
                postings.setdefault(word, set()).add(position)
        self.words = sorted(postings)
        self.postings = [postings[word] for word in self.words]

    def __len__(self):
        return len(self.titles)

    def _word_scores(self, token: str) -> dict[int, float]:
        """Indexed words (by position in self.words) that `token` may mean, with a score."""
        scores: dict[int, float] = {}
        start = bisect.bisect_left(self.words, token)
        end = bisect.bisect_right(self.words, token + "\x7f")
        for index in range(start, end):
            # The word itself scores best; a longer word it begins is typing in progress.
            scores[index] = 100.0 if self.words[index] == token else 90.0
        if len(token) >= FUZZY_MIN_LENGTH:
            for _word, score, index in process.extract(
                token, self.words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=20
            ):
                scores[index] = max(scores.get(index, 0.0), score)
        return scores

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        tokens = normalise(query[:MAX_QUERY_LENGTH]).split()[:MAX_QUERY_WORDS]
        if not tokens:
            return []
        per_token = []
        for token in tokens:
            best: dict[int, float] = {}
            for word_index, score in self._word_scores(token).items():
                for title in self.postings[word_index]:
                    if score > best.get(title, 0.0):
                        best[title] = score
            per_token.append(best)
        # Every word of the query must match; if none does, the titles matching most words.
        common = set.intersection(*(set(best) for best in per_token))
        candidates = common or set().union(*(set(best) for best in per_token))
        scored = [(sum(best.get(title, 0.0) for best in per_token), title) for title in candidates]
        scored.sort(key=lambda item: (-item[0], len(self.titles[item[1]][1]), item[1]))
        return [Hit(*self.titles[title], score=score) for score, title in scored[:limit]]


_index: JobTitleIndex | None = None
_lock = threading.Lock()


def index() -> JobTitleIndex:
    """The process's index, read from the database on first use."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                from parcours.employment.models import JobTitle

                rows = JobTitle.objects.order_by("ogr_code").values_list(
                    "ogr_code", "label", "occupation_id", "occupation__label"
                )
                _index = JobTitleIndex(list(rows))
    return _index


def reset_index() -> None:
    """Forget the index (after the referential is reloaded, and between tests)."""
    global _index
    with _lock:
        _index = None


def search_job_titles(query: str, limit: int = 10) -> list[Hit]:
    return index().search(query, limit=limit)
