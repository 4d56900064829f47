"""A person's age at a date, the one computation every module uses (reception, referrals,
indicators)."""

import datetime


def age_on(birth_date: datetime.date | None, on: datetime.date) -> int | None:
    """Age in whole years on `on` by birthday arithmetic; None when the birth date is unknown.

    A person born on 29 February has their birthday on 1 March in common years (the day after
    28 February), the usual reading of French civil law for ages reached "à la date
    anniversaire".
    """
    if birth_date is None:
        return None
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)
