"""The partner network of a DT, or of a DREETS's region (issue 19, item 4).

Which partners act in which département, on which theme, through which agreements and schemes,
with the referrals sent to them over the last 12 months and what came of them. A constant
number of queries whatever the size of the network: partners, schemes, agreements, groups and
one grouped count of referrals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from parcours.organisations.models import Organisation
from parcours.organisations.roles import PARTNER_KINDS
from parcours.partnerships.models import Agreement, Theme, WorkingGroup
from parcours.privacy.rules import subtract_months
from parcours.referrals.models import Referral, Scheme, SchemeKind
from parcours.referrals.states import ENTERED_STATES, EXITED_STATES, ReferralStatus
from parcours.territories.models import Department

# The theme each kind of scheme serves (issue 19, item 4: employment, housing, health,
# language, training, social).
SCHEME_THEMES = {
    SchemeKind.FT_REGISTRATION: Theme.EMPLOYMENT,
    SchemeKind.YOUTH_SUPPORT: Theme.EMPLOYMENT,
    SchemeKind.EPIDE: Theme.EMPLOYMENT,
    SchemeKind.AGIR: Theme.SOCIAL,
    SchemeKind.MICROCREDIT: Theme.EMPLOYMENT,
    SchemeKind.SOCIAL_INTEGRATION: Theme.SOCIAL,
    SchemeKind.VOCATIONAL_TRAINING: Theme.TRAINING,
    SchemeKind.VAE_ADVICE: Theme.TRAINING,
    SchemeKind.EMPLOYMENT_SUPPORT: Theme.EMPLOYMENT,
    SchemeKind.LANGUAGE_COURSE: Theme.LANGUAGE,
    SchemeKind.OTHER: Theme.SOCIAL,
}
MONTHS = 12


@dataclass
class NetworkRow:
    partner: Organisation
    department: Department
    themes: set = field(default_factory=set)
    agreements: list = field(default_factory=list)
    schemes: list = field(default_factory=list)
    referred: int = 0
    accepted: int = 0
    refused: int = 0
    entered: int = 0
    exited: int = 0

    @property
    def theme_labels(self) -> list[str]:
        return [str(label) for value, label in Theme.choices if value in self.themes]


@dataclass
class Network:
    directorates: list
    since: datetime.date
    until: datetime.date
    rows: list[NetworkRow]


def build_network(directorates, today: datetime.date) -> Network:
    """The network of the directorates' départements, referrals of the last 12 months."""
    directorate_ids = [d.pk for d in directorates]
    since = subtract_months(today, MONTHS)
    departments = {
        d.pk: d
        for d in Department.objects.filter(directorate_id__in=directorate_ids).order_by("code")
    }
    partners = (
        Organisation.objects.filter(
            kind__in=sorted(PARTNER_KINDS), is_active=True, departments__in=list(departments)
        )
        .distinct()
        .prefetch_related("departments")
        .order_by("name")
    )
    rows: dict[tuple[int, int], NetworkRow] = {}
    for partner in partners:
        for department in partner.departments.all():
            if department.pk in departments:
                rows[(partner.pk, department.pk)] = NetworkRow(partner, departments[department.pk])
    partner_ids = {key[0] for key in rows}

    schemes = (
        Scheme.objects.active()
        .filter(organisation_id__in=partner_ids, departments__in=list(departments))
        .prefetch_related("departments")
        .distinct()
        .order_by("name")
    )
    for scheme in schemes:
        for department in scheme.departments.all():
            row = rows.get((scheme.organisation_id, department.pk))
            if row is not None:
                row.schemes.append(scheme.name)
                row.themes.add(SCHEME_THEMES.get(scheme.kind, Theme.SOCIAL))

    agreements = (
        Agreement.objects.filter(directorates__in=directorate_ids, partners__in=partner_ids)
        .distinct()
        .prefetch_related("partners", "directorates")
        .order_by("title")
    )
    for agreement in agreements:
        agreement_dts = {d.pk for d in agreement.directorates.all()}
        for partner in agreement.partners.all():
            for (partner_id, _department_id), row in rows.items():
                if partner_id == partner.pk and row.department.directorate_id in agreement_dts:
                    row.agreements.append(agreement)
                    row.themes.add(agreement.theme)

    for group in (
        WorkingGroup.objects.filter(directorates__in=directorate_ids)
        .distinct()
        .prefetch_related("members")
    ):
        for member in group.members.all():
            for (partner_id, _department_id), row in rows.items():
                if partner_id == member.pk:
                    row.themes.add(group.theme)

    counts = (
        Referral.objects.filter(
            directorate_id__in=directorate_ids,
            scheme__organisation_id__in=partner_ids,
            sent_at__date__gte=since,
            sent_at__date__lte=today,
        )
        .values("scheme__organisation_id", "person__department_id")
        .annotate(
            referred=Count("pk"),
            accepted=Count(
                "pk",
                filter=Q(status__in=sorted({ReferralStatus.ACCEPTED, *ENTERED_STATES})),
            ),
            refused=Count("pk", filter=Q(status=ReferralStatus.REFUSED)),
            entered=Count("pk", filter=Q(status__in=sorted(ENTERED_STATES))),
            exited=Count("pk", filter=Q(status__in=sorted(EXITED_STATES))),
        )
        .order_by()
    )
    for line in counts:
        row = rows.get((line["scheme__organisation_id"], line["person__department_id"]))
        if row is None:
            continue  # a person now living outside the partner's départements
        row.referred += line["referred"]
        row.accepted += line["accepted"]
        row.refused += line["refused"]
        row.entered += line["entered"]
        row.exited += line["exited"]
    ordered = sorted(rows.values(), key=lambda r: (r.department.code, r.partner.name))
    return Network(list(directorates), since, today, ordered)


def network_rows(network: Network) -> list[list]:
    """The network as rows of cells for the spreadsheets (core.spreadsheets)."""
    rows: list[list] = [
        [_("Réseau des partenaires")],
        [", ".join(d.name for d in network.directorates)],
        [
            _("Orientations envoyées du %(since)s au %(until)s")
            % {
                "since": network.since.strftime("%d/%m/%Y"),
                "until": network.until.strftime("%d/%m/%Y"),
            }
        ],
        [],
        [
            _("Département"),
            _("Partenaire"),
            _("Thèmes"),
            _("Conventions"),
            _("Dispositifs"),
            _("Orientations envoyées"),
            _("Acceptées"),
            _("Refusées"),
            _("Entrées"),
            _("Sorties"),
        ],
    ]
    for row in network.rows:
        rows.append(
            [
                f"{row.department.code} – {row.department.name}",
                row.partner.name,
                ", ".join(row.theme_labels),
                ", ".join(a.title for a in row.agreements),
                ", ".join(row.schemes),
                row.referred,
                row.accepted,
                row.refused,
                row.entered,
                row.exited,
            ]
        )
    return rows
