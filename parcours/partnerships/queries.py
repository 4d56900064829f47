"""What each membership sees of the partnerships: denied by default, scoped in one place.

Issue 19: partners see only the agreements and groups they belong to; a DT sees those of its
directorate; the DREETS those of its region's DTs; OFII headquarters sees all. An object
outside these querysets is a 404 for the pages (docs/architecture.md, "Access").
"""

from django.db.models import Q

from parcours.organisations.roles import OFII_DT_ROLES, PARTNER_ROLES, Role
from parcours.partnerships.models import (
    Action,
    Agreement,
    AgreementReport,
    Application,
    Call,
    Contact,
    WorkingGroup,
)


def _scope(membership, *, dt, region, partner):
    """The filter for the membership's kind, or None when it sees nothing."""
    if membership is None:
        return None
    organisation = membership.organisation
    if membership.role in OFII_DT_ROLES and organisation.directorate_id:
        return dt(organisation)
    if membership.role == Role.REGIONAL_VIEWER and organisation.region_id:
        return region(organisation)
    if membership.role == Role.NATIONAL_ADMIN:
        return Q()
    if membership.role in PARTNER_ROLES:
        return partner(organisation)
    return None


def _narrow(queryset, condition):
    if condition is None:
        return queryset.none()
    return queryset.filter(condition).distinct() if condition else queryset


def agreements_visible_to(membership, queryset=None):
    queryset = Agreement.objects.all() if queryset is None else queryset
    return _narrow(
        queryset,
        _scope(
            membership,
            dt=lambda o: Q(directorates=o.directorate_id),
            region=lambda o: Q(directorates__region_id=o.region_id),
            partner=lambda o: Q(partners=o),
        ),
    )


def agreements_managed_by(membership, queryset=None):
    """The agreements a DT manager or the national admin may change (never a partner's)."""
    if membership is None or membership.role in PARTNER_ROLES:
        return Agreement.objects.none()
    if membership.role == Role.REGIONAL_VIEWER:
        return Agreement.objects.none()
    return agreements_visible_to(membership, queryset)


def reports_visible_to(membership):
    agreements = agreements_visible_to(membership)
    return AgreementReport.objects.filter(duty__agreement__in=agreements)


def groups_visible_to(membership, queryset=None):
    queryset = WorkingGroup.objects.all() if queryset is None else queryset
    return _narrow(
        queryset,
        _scope(
            membership,
            dt=lambda o: Q(directorates=o.directorate_id) | Q(chair=o) | Q(members=o),
            region=lambda o: Q(directorates__region_id=o.region_id),
            partner=lambda o: Q(chair=o) | Q(members=o),
        ),
    )


def groups_managed_by(membership):
    if membership is None or membership.role in PARTNER_ROLES | {Role.REGIONAL_VIEWER}:
        return WorkingGroup.objects.none()
    return groups_visible_to(membership)


def meetings_recorded_by(membership, group) -> bool:
    """Issue 19: a partner chairing a group records the group's meetings (with decisions and
    minutes); the DT managers do through groups_managed_by."""
    return (
        membership is not None
        and membership.role in PARTNER_ROLES
        and group.chair_id == membership.organisation_id
    )


def calls_visible_to(membership, queryset=None):
    queryset = Call.objects.all() if queryset is None else queryset
    return _narrow(
        queryset,
        _scope(
            membership,
            dt=lambda o: Q(directorates=o.directorate_id),
            region=lambda o: Q(issuer=o) | Q(directorates__region_id=o.region_id),
            partner=lambda o: Q(invited=o) | Q(applications__applicant=o),
        ),
    )


def applications_visible_to(membership, queryset=None):
    """A partner reads its own applications only, never a competitor's score or reasons."""
    queryset = Application.objects.all() if queryset is None else queryset
    return _narrow(
        queryset,
        _scope(
            membership,
            dt=lambda o: Q(directorate_id=o.directorate_id),
            region=lambda o: Q(directorate__region_id=o.region_id) | Q(call__issuer=o),
            partner=lambda o: Q(applicant=o),
        ),
    )


def actions_visible_to(membership):
    return Action.objects.filter(group__in=groups_visible_to(membership))


def contacts_visible_to(membership):
    """Contacts of the partners of the membership's agreements and groups, and its own."""
    if membership is None:
        return Contact.objects.none()
    agreements = agreements_visible_to(membership)
    groups = groups_visible_to(membership)
    return Contact.objects.filter(
        Q(organisation=membership.organisation)
        | Q(organisation__partner_agreements__in=agreements)
        | Q(organisation__working_groups__in=groups)
        | Q(organisation__chaired_groups__in=groups)
    ).distinct()
