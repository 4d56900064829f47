"""Build the duplicate finder's labelled set: parcours/people/data/duplicate_pairs.csv.

Run from the repository root: `python scripts/build_duplicate_pairs.py`. Deterministic (fixed
seed): re-running it gives the same file. How it is built is told in docs/duplicates.md.

Each row is a pair (A, B) with `same` = 1 when A and B are one person written two ways, 0
when they are two persons, and `variant` naming how B was made from A.
"""

import csv
import datetime
import pathlib
import random

OUT = pathlib.Path(__file__).resolve().parent.parent / "parcours/people/data/duplicate_pairs.csv"

# Spellings of one name as met in prefecture records and CIR files (French, English and
# ISO transliterations of Arabic, Persian, Russian and Ukrainian names; compound names
# written apart, glued or hyphenated).
LAST_NAMES = [
    ["BENALI", "BENALY", "BEN ALI", "BEN-ALI"],
    ["HADDAD", "HADAD"],
    ["MOHAMMEDI", "MOHAMEDI", "MOUHAMEDI"],
    ["BOUZIDI", "BOUZIDY", "BOU ZIDI"],
    ["ABDELKADER", "ABD EL KADER", "ABD-EL-KADER"],
    ["CHEVTCHENKO", "SHEVCHENKO", "SCHEWTSCHENKO"],
    ["IVANOV", "IVANOFF"],
    ["KOVALENKO", "KOWALENKO"],
    ["TCHERNENKO", "CHERNENKO"],
    ["HOSSEINI", "HOUSSEINI", "HUSSEINI"],
    ["EL HASSANI", "ELHASSANI", "AL HASSANI"],
    ["YOUSSOUF", "YUSUF", "YOUSOUF"],
    ["DJIBRIL", "JIBRIL"],
    ["OUEDRAOGO", "WEDRAOGO"],
    ["ZAKHAROV", "ZAHAROV"],
    ["GORBATCHEV", "GORBACHEV"],
    ["MOUSSA", "MUSA", "MOUSA"],
    ["DIALLO", "DIALO"],
    ["TRAORÉ", "TRAORE"],
    ["KHALIL", "HALIL"],
    ["BELKACEM", "BELKASSEM", "BEL KACEM"],
    ["AMRANI", "AMRANY"],
    ["SAIDI", "SAÏDI", "SAEEDI"],
    ["AHMADI", "AHMEDI"],
    ["KUZNETSOV", "KOUZNETSOV"],
    ["SMIRNOV", "SMIRNOFF"],
    ["POPOVA", "POPOVA"],
    ["ZHUKOVA", "JOUKOVA"],
    ["NGUYEN", "NGUYỄN"],
    ["MEHMETI", "MEHMEDI"],
]
FIRST_NAMES = [
    ["MOHAMED", "MOHAMMED", "MUHAMMAD", "MOUHAMED", "MOHAMAD"],
    ["YOUSSEF", "YOUCEF", "YUSUF", "YOUSEF"],
    ["ABDELKADER", "ABD EL KADER", "ABDEL-KADER", "ABDEL KADER"],
    ["AÏCHA", "AICHA", "AISHA"],
    ["SERGUEÏ", "SERGEY", "SERGEI"],
    ["ALEKSANDR", "ALEXANDRE", "OLEKSANDR", "ALEXANDER"],
    ["EVGUENI", "YEVGENIY", "EVGENII"],
    ["DMITRI", "DMITRIY", "DMITRY"],
    ["MIKHAÏL", "MIKHAIL", "MIHAIL"],
    ["FATIMA", "FATIMAH"],
    ["KHADIJA", "KHADIDJA", "HADIJA"],
    ["OUSSAMA", "OSAMA", "USAMA"],
    ["HOUSSEIN", "HUSSEIN", "HUSAIN"],
    ["JEAN-PIERRE", "JEAN PIERRE", "JEANPIERRE"],
    ["MARIE-CLAIRE", "MARIE CLAIRE"],
    ["IOURI", "YURI", "YOURI"],
    ["NATALIA", "NATALIYA"],
    ["TATIANA", "TATYANA", "TATJANA"],
    ["RACHID", "RASHID"],
    ["DJAMEL", "JAMEL"],
    ["ABDELLAH", "ABDALLAH", "ABD ALLAH"],
    ["SALAH EDDINE", "SALAHEDDINE", "SALAH-EDDINE", "SALAHEDINE"],
    ["NOUR EL HOUDA", "NOUR-EL-HOUDA", "NOURELHOUDA"],
    ["ZAHRA", "ZAHRAA"],
    ["AMINATA", "AMINATTA"],
    ["OLENA", "ELENA", "YELENA"],
    ["ANASTASIA", "ANASTASSIA", "ANASTASIYA"],
    ["HAMZA", "HAMZAH"],
    ["MARYAM", "MARIAM", "MERYEM"],
    ["IBRAHIM", "EBRAHIM"],
]

COMPOUND_FIRST_NAMES = [g for g in FIRST_NAMES if any(" " in n or "-" in n for n in g)]


def _typo(rng: random.Random, name: str) -> str:
    """One keyboard slip: a letter doubled, dropped or two letters swapped (not the first)."""
    letters = list(name)
    positions = [i for i in range(1, len(letters) - 1) if letters[i].isalpha()]
    i = rng.choice(positions)
    kind = rng.choice(["double", "drop", "swap"])
    if kind == "double":
        letters.insert(i, letters[i])
    elif kind == "drop":
        del letters[i]
    else:
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
    return "".join(letters)


def _birth(rng: random.Random) -> datetime.date:
    return datetime.date(1955, 1, 1) + datetime.timedelta(days=rng.randint(0, 50 * 365))


def _other(rng: random.Random, group: list[str], name: str) -> str:
    choices = [n for n in group if n != name]
    return rng.choice(choices) if choices else name


def _agdref(rng: random.Random) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(10))


def build(seed: int = 17) -> list[dict]:
    rng = random.Random(seed)
    rows = []

    def add(same, variant, a, b):
        rows.append({"same": same, "variant": variant, **_side("a", a), **_side("b", b)})

    for index in range(260):
        last_group = LAST_NAMES[index % len(LAST_NAMES)]
        first_group = FIRST_NAMES[(index * 7) % len(FIRST_NAMES)]
        last, first = rng.choice(last_group), rng.choice(first_group)
        birth = _birth(rng)
        agdref = _agdref(rng) if rng.random() < 0.3 else ""
        a = (last, first, birth, agdref)
        kind = index % 13
        if kind == 0:
            add(1, "last_name_spelling", a, (_other(rng, last_group, last), first, birth, ""))
        elif kind == 1:
            add(1, "first_name_spelling", a, (last, _other(rng, first_group, first), birth, ""))
        elif kind == 2:
            b = (_other(rng, last_group, last), _other(rng, first_group, first), birth, "")
            add(1, "both_spellings", a, b)
        elif kind == 3:
            add(1, "first_last_swapped", a, (first, last, birth, ""))
        elif kind == 4:
            day = birth.replace(day=rng.randint(1, 12))
            if day.day == day.month:
                day = day.replace(day=13 - day.month if day.month != 6 else 7)
            a = (last, first, day, agdref)
            add(
                1,
                "day_month_swapped",
                a,
                (last, first, day.replace(day=day.month, month=day.day), ""),
            )
        elif kind == 5:
            add(1, "typo_last_name", a, (_typo(rng, last), first, birth, ""))
        elif kind == 6:
            add(1, "case_and_accents", a, (last.lower().title(), first.lower(), birth, ""))
        elif kind == 7:
            number = agdref or _agdref(rng)
            a = (last, first, birth, number)
            # Same AGDREF number: the same person, even under a married name.
            other_last = rng.choice(LAST_NAMES[(index + 5) % len(LAST_NAMES)])
            add(1, "same_agdref", a, (other_last, first, birth, number))
        elif kind == 8:
            years = rng.choice([2, 3, 5, 8, 12, 20]) * rng.choice([-1, 1])
            other = birth.replace(year=birth.year + years, day=min(birth.day, 28))
            add(0, "same_name_other_birth_year", a, (last, first, other, ""))
        elif kind == 9:
            other_last = rng.choice(LAST_NAMES[(index + 3) % len(LAST_NAMES)])
            other_first = rng.choice(FIRST_NAMES[(index * 7 + 4) % len(FIRST_NAMES)])
            add(0, "other_person_same_birth_date", a, (other_last, other_first, birth, ""))
        elif kind == 10:
            other_first = rng.choice(FIRST_NAMES[(index * 7 + 9) % len(FIRST_NAMES)])
            sibling = birth.replace(
                year=birth.year + rng.choice([-3, -2, 2, 4]), day=min(birth.day, 28)
            )
            add(0, "sibling_same_last_name", a, (last, other_first, sibling, ""))
        elif kind == 11:
            # Twins: same family, same birth date, another first name.
            other_first = rng.choice(FIRST_NAMES[(index * 7 + 11) % len(FIRST_NAMES)])
            add(0, "twin_other_first_name", a, (last, other_first, birth, ""))
        else:
            compound = rng.choice(COMPOUND_FIRST_NAMES)
            a = (last, rng.choice(compound), birth, agdref)
            add(1, "compound_first_name", a, (last, _other(rng, compound, a[1]), birth, ""))
    return rows


def _side(prefix: str, values) -> dict:
    last, first, birth, agdref = values
    return {
        f"{prefix}_last_name": last,
        f"{prefix}_first_names": first,
        f"{prefix}_birth_date": birth.isoformat(),
        f"{prefix}_agdref": agdref,
    }


def main() -> None:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} pairs written to {OUT.name}")


if __name__ == "__main__":
    main()
