"""Name keys for search and duplicates: one spelling-tolerant form of a person's names.

A name typed at the counter differs from the file's in accents, case, hyphens, spaces,
particles (« Abd El » / « Abdel ») and in how an Arabic or Cyrillic name was written in Latin
letters (Mohamed / Muhammad, Youssef / Youcef, Sergueï / Sergey). Two keys are kept on each
person (`Person.fill_name_keys`, called on every save) and computed the same way from a query:

- `search_text`: upper-case ASCII, words separated by one space (what trigram similarity
  and rapidfuzz compare);
- `phonetic_key`: the words glued together, French transliteration spellings brought to one
  form, then Metaphone (jellyfish): equal keys for most transliteration variants.

The string-distance and phonetic algorithms are the maintained libraries' (unidecode,
jellyfish, rapidfuzz); this module only holds the spelling table below.
"""

import re

import jellyfish
from unidecode import unidecode

# Spellings of the same sound in French, English and German transliterations of Arabic and
# Cyrillic names (ALA-LC, ISO 9 and the French usage of the prefectures' AGDREF records),
# brought to one form before Metaphone, longest first. Example pairs: TCHEKHOV / CHEKHOV,
# DJAMEL / JAMEL, ZHUKOV / JOUKOV, YOUSSEF / YUSUF, KHALED / HALED, OLEKSANDR / ALEKSANDR.
_SPELLINGS = (
    ("TSCH", "CH"),
    ("TCH", "CH"),
    ("SCH", "CH"),
    ("SH", "CH"),
    ("ZH", "J"),
    ("DJ", "J"),
    ("DZH", "J"),
    ("KH", "H"),
    ("GH", "G"),
    ("OU", "U"),
    ("OO", "U"),
    ("EE", "I"),
    ("IY", "I"),
    ("IJ", "I"),
    ("Y", "I"),
    ("W", "V"),
    ("Q", "K"),
    ("X", "KS"),
    ("PH", "F"),
    ("GUE", "GE"),
    ("GUI", "GI"),
    ("TH", "T"),
    ("CH", "CH"),
    ("CK", "K"),
    ("CE", "SE"),
    ("CI", "SI"),
    ("CY", "SI"),
    ("C", "K"),
)
# Tried longest first at each position, so that « TSCH » wins over « SCH » and « CH » over « C ».
_SPELLING_RE = re.compile(
    "|".join(re.escape(old) for old, _new in sorted(_SPELLINGS, key=lambda s: -len(s[0])))
)
_SPELLING_MAP = dict(_SPELLINGS)

_NOT_LETTERS = re.compile(r"[^A-Z]+")


def words(value: str) -> list[str]:
    """The words of a name: ASCII upper case; accents, hyphens, apostrophes dropped."""
    return [w for w in _NOT_LETTERS.split(unidecode(value or "").upper()) if w]


def search_text(*names: str) -> str:
    """The names as one upper-case ASCII string, words separated by one space."""
    return " ".join(w for name in names for w in words(name))


def glued(value: str) -> str:
    """The words of a name glued together: « Abd-El Kader » and « ABDELKADER » are equal."""
    return "".join(words(value))


def _respell(text: str) -> str:
    return _SPELLING_RE.sub(lambda match: _SPELLING_MAP[match.group(0)], text)


def phonetic_key(value: str) -> str:
    """A key equal for the usual Latin spellings of one name (see the module docstring)."""
    return glued_key(glued(value))


def glued_key(text: str) -> str:
    """`phonetic_key` of a name already `glued` (the duplicate finder has glued it)."""
    if not text:
        return ""
    key = jellyfish.metaphone(_respell(text))
    # Metaphone keeps a leading vowel as written: « OLEKSANDR » and « ALEKSANDR », « EVGUENI »
    # and « IEVGUENI » differ by it only, so every leading vowel counts as one.
    if key[:1] in ("A", "E", "I", "O", "U"):
        key = "A" + key[1:]
    return key[:40]


def _word_by_word(typed: list[str], known: list[str], known_keys: list[str]) -> float:
    from rapidfuzz import fuzz

    total = 0.0
    for word in typed:
        key = phonetic_key(word)
        best = 0.0
        for other, other_key in zip(known, known_keys, strict=True):
            value = fuzz.ratio(word, other)
            if other.startswith(word) and len(word) >= 3:
                value = max(value, 95.0)
            if key and key == other_key:
                value = max(value, 90.0)
            best = max(best, value)
        total += best
    return total / len(typed)


def match_score(query: str, stored: str) -> float:
    """0–100: how well the words typed match a stored `search_text`, word by word.

    Each typed word takes its best stored word (rapidfuzz ratio, or 90 when they sound alike
    by `phonetic_key`); the score is their mean. Runs of two or three stored words glued
    together count as words, and so does the whole query glued: « ABDELKADER » meets
    « ABD EL KADER » both ways. « BENALY » against « BENALI RACHID »: 90.
    """
    typed, stored_words = query.split(), stored.split()
    if not typed or not stored_words:
        return 0.0
    known = list(stored_words)
    for size in (2, 3):
        known += ["".join(stored_words[i : i + size]) for i in range(len(stored_words) - size + 1)]
    known_keys = [phonetic_key(word) for word in known]
    score = _word_by_word(typed, known, known_keys)
    if len(typed) > 1:
        score = max(score, _word_by_word(["".join(typed)], known, known_keys))
    return score
