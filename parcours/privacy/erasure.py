"""When the law allows erasing a person's file at their request (GDPR art. 17).

OFII processes these data to perform a legal obligation and a task in the public interest
(the republican integration contract): erasure does not apply while the data are still needed
for it (art. 17(3)(b)). Modules that hold such reasons (a CIR being followed, a referral in
progress) register a check that names the obstacle; the data protection contact decides when
no check objects, and the erasure is logged with its purpose.
"""

from collections.abc import Callable

_checks: list[Callable] = []


def register_erasure_check(check: Callable) -> Callable:
    """Decorator: `check(person)` returns a French sentence naming an obstacle, or None."""
    if check not in _checks:
        _checks.append(check)
    return check


def erasure_blockers(person) -> list[str]:
    return [str(reason) for check in _checks if (reason := check(person))]
