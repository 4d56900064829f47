"""The person file's timeline: each domain module registers a provider of dated events.

Later modules (reception day, referrals, privacy) add their steps here without the person
page knowing about them; each provider must run a bounded number of queries per person.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class TimelineEvent:
    when: datetime.datetime | datetime.date
    title: str
    detail: str = ""
    kind: str = "info"

    @property
    def sort_key(self) -> datetime.datetime:
        if isinstance(self.when, datetime.datetime):
            return self.when
        return timezone.make_aware(datetime.datetime.combine(self.when, datetime.time.min))


Provider = Callable[[object], Iterable[TimelineEvent]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Decorator: add a provider of timeline events for a person."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def timeline_for(person) -> list[TimelineEvent]:
    """All events of a person, newest first."""
    events = [event for provider in _providers for event in provider(person)]
    return sorted(events, key=lambda event: event.sort_key, reverse=True)


@register
def record_events(person) -> Iterable[TimelineEvent]:
    yield TimelineEvent(person.created_at, _("Dossier créé"), kind="record")
    if person.ft_registration_date:
        detail = person.ft_identifier or ""
        yield TimelineEvent(
            person.ft_registration_date, _("Inscription à France Travail"), detail, kind="ft"
        )


@register
def situation_events(person) -> Iterable[TimelineEvent]:
    """Changes of situation recorded by the DT or a partner (issue 20), one query."""
    from parcours.people.situations import SituationUpdate

    updates = SituationUpdate.objects.filter(person_id=person.pk).select_related("organisation")
    for update in updates.order_by("occurred_on", "pk"):
        detail = " · ".join(filter(None, [update.summary, update.organisation.name]))
        yield TimelineEvent(
            update.occurred_on,
            _("Changement de situation : %(kind)s") % {"kind": update.get_kind_display()},
            detail,
            kind="situation",
        )
