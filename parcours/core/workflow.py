"""Workflows declared as data: named transitions from some states to one (referrals, PFA)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str
    label: str


def allowed_transitions(transitions: dict[str, Transition], status: str) -> list[str]:
    """Names of the transitions possible from `status`, in declaration order."""
    return [t.name for t in transitions.values() if status in t.sources]
