"""API v1 referrals and schemes (issue 17): lists, detail, the partner's transitions, seats.

The transitions call `referrals.services` (the same state machine as the pages); each write
names the version it read (`If-Match`, api.concurrency) and is checked under the row lock.
Every person in an answer is projected for the reader and written to the access log.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from parcours.api.concurrency import Conflict, check_if_match, version_tag
from parcours.api.filters import ID_SCHEMA, MAX_ID
from parcours.api.pagination import BoundedCursorPagination
from parcours.api.problems import PROBLEM_RESPONSES, WRITE_PROBLEM_RESPONSES
from parcours.api.serializers import (
    AcceptSerializer,
    EntrySerializer,
    ExitSerializer,
    ReferralSerializer,
    RefuseSerializer,
    SchemeSerializer,
    WaitingListEntrySerializer,
)
from parcours.api.views import api_view, log_persons
from parcours.organisations.permissions import Action
from parcours.referrals import services
from parcours.referrals.models import Referral, Scheme
from parcours.referrals.states import ReferralStatus

# A few ETags at most; the document says so, and a longer header is refused (400).
MAX_TAG_HEADER = 200


def membership_of(request):
    return request._request.membership


def referrals_for(membership):
    return Referral.objects.visible_to(membership).select_related(
        "scheme__organisation",
        "referrer_organisation",
        "person__nationality",
        "person__department",
        "person__directorate",
    )


class ReferralFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)
    scheme = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    sent_from = serializers.DateField(required=False, help_text="Envoyées ce jour ou après.")
    sent_until = serializers.DateField(required=False, help_text="Envoyées ce jour ou avant.")


def filtered(request, referrals):
    # A plain dict: from a QueryDict, DRF would take `status=` (empty) as absent.
    filters = ReferralFilters(data=request.query_params.dict())
    filters.is_valid(raise_exception=True)
    data = filters.validated_data
    if "status" in data:
        referrals = referrals.filter(status=data["status"])
    if "scheme" in data:
        referrals = referrals.filter(scheme_id=data["scheme"])
    if "sent_from" in data:
        referrals = referrals.filter(sent_at__date__gte=data["sent_from"])
    if "sent_until" in data:
        referrals = referrals.filter(sent_at__date__lte=data["sent_until"])
    return referrals


class ReferralListBase(generics.ListAPIView):
    serializer_class = ReferralSerializer
    pagination_class = BoundedCursorPagination

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "membership": membership_of(self.request)}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        log_persons(self.request, [referral.person for referral in page])
        return page


@api_view
@extend_schema(
    parameters=[ReferralFilters],
    responses={200: ReferralSerializer(many=True), **PROBLEM_RESPONSES},
)
class ReceivedReferralList(ReferralListBase):
    """Referrals sent to the schemes of the token's organisation (partner staff)."""

    required_action = Action.ANSWER_REFERRAL

    def get_queryset(self):
        membership = membership_of(self.request)
        received = referrals_for(membership).received_by(membership.organisation)
        return filtered(self.request, received)


@api_view
@extend_schema(
    parameters=[ReferralFilters],
    responses={200: ReferralSerializer(many=True), **PROBLEM_RESPONSES},
)
class SentReferralList(ReferralListBase):
    """Referrals the token's organisation made (DT auditors and managers, referring partners)."""

    required_action = Action.REFER

    def get_queryset(self):
        membership = membership_of(self.request)
        sent = referrals_for(membership).filter(referrer_organisation_id=membership.organisation_id)
        return filtered(self.request, sent)


def _visible_referral(request, pk) -> Referral:
    if int(pk) > MAX_ID:  # no such row, and SQLite cannot even compare it
        raise Http404
    return get_object_or_404(referrals_for(membership_of(request)), pk=pk)


def _answer(request, referral, status=200):
    log_persons(request, [referral.person])
    data = ReferralSerializer(referral, context={"membership": membership_of(request)}).data
    return Response(data, status=status, headers={"ETag": version_tag(referral)})


@api_view
@extend_schema(
    parameters=[OpenApiParameter("id", ID_SCHEMA, OpenApiParameter.PATH)],
    responses={200: ReferralSerializer, **PROBLEM_RESPONSES},
)
class ReferralDetail(APIView):
    """One referral the token may see; its `ETag` is the version a transition must name."""

    required_action = Action.VIEW_PERSON

    def get(self, request, pk):
        return _answer(request, _visible_referral(request, pk))


class TransitionView(APIView):
    """POST a transition of the referral, with `If-Match: <ETag>`; 412 when it changed."""

    required_action = Action.ANSWER_REFERRAL
    input_serializer = None
    # JSON only: from a form, DRF reads an absent boolean (`completed`) as false.
    parser_classes = [JSONParser]

    def apply(self, referral, data, *, by, organisation):
        raise NotImplementedError

    def post(self, request, pk):
        if len(request.headers.get("If-Match", "")) > MAX_TAG_HEADER:
            raise ValidationError({"If-Match": [_("En-tête If-Match trop long.")]})
        referral = _visible_referral(request, pk)
        payload = self.input_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = membership_of(request)
        if referral.scheme.organisation_id != membership.organisation_id:
            raise PermissionDenied(
                _("Seule la structure qui porte le dispositif peut répondre à cette orientation.")
            )
        with transaction.atomic():
            # The tag is compared with the row locked: a concurrent writer waits here, then
            # reads the version the first one wrote, and gets 412.
            locked = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
            check_if_match(request, version_tag(locked))
            try:
                self.apply(
                    locked,
                    payload.validated_data,
                    by=request.user,
                    organisation=membership.organisation,
                )
            except DjangoValidationError as error:
                if error.code == "transition_not_allowed":
                    raise Conflict(error.messages[0]) from error
                raise ValidationError({"detail": error.messages}) from error
        return _answer(request, referrals_for(membership).get(pk=referral.pk))


def transition_schema(request_serializer, summary):
    return extend_schema(
        summary=summary,
        parameters=[
            OpenApiParameter("id", ID_SCHEMA, OpenApiParameter.PATH),
            OpenApiParameter(
                "If-Match",
                {"type": "string", "maxLength": MAX_TAG_HEADER},
                OpenApiParameter.HEADER,
                required=True,
                description="L'ETag lu sur l'orientation (GET /referrals/{id}/).",
            ),
        ],
        request=request_serializer,
        responses={200: ReferralSerializer, **PROBLEM_RESPONSES, **WRITE_PROBLEM_RESPONSES},
    )


@api_view
@transition_schema(AcceptSerializer, "Accepter (place, ou liste d'attente si complet)")
class AcceptReferral(TransitionView):
    input_serializer = AcceptSerializer

    def apply(self, referral, data, **actor):
        services.accept_referral(referral, comment=data.get("comment", ""), **actor)


@api_view
@transition_schema(RefuseSerializer, "Refuser avec un motif")
class RefuseReferral(TransitionView):
    input_serializer = RefuseSerializer

    def apply(self, referral, data, **actor):
        services.refuse_referral(
            referral, reason=data["reason"], comment=data.get("comment", ""), **actor
        )


@api_view
@transition_schema(EntrySerializer, "Enregistrer l'entrée dans le dispositif")
class RecordEntry(TransitionView):
    input_serializer = EntrySerializer

    def apply(self, referral, data, **actor):
        services.record_entry(referral, entered_on=data["entered_on"], **actor)


@api_view
@transition_schema(ExitSerializer, "Enregistrer la sortie (fin de parcours ou sortie anticipée)")
class RecordExit(TransitionView):
    input_serializer = ExitSerializer

    def apply(self, referral, data, **actor):
        services.record_exit(
            referral,
            exited_on=data["exited_on"],
            completed=data["completed"],
            reason=data.get("reason", ""),
            comment=data.get("comment", ""),
            **actor,
        )


def schemes_for(membership):
    return (
        Scheme.objects.in_perimeter_of(membership)
        .select_related("organisation")
        .prefetch_related("departments")
        .annotate(
            waiting_count=Count("referrals", filter=Q(referrals__status=ReferralStatus.WAITLISTED))
        )
    )


@api_view
@extend_schema(responses={200: SchemeSerializer(many=True), **PROBLEM_RESPONSES})
class SchemeList(generics.ListAPIView):
    """The schemes of the perimeter, with their seats and the length of their waiting list."""

    required_action = Action.VIEW_PERSON
    serializer_class = SchemeSerializer
    pagination_class = BoundedCursorPagination

    def get_queryset(self):
        return schemes_for(membership_of(self.request))


class WaitingEntry:
    def __init__(self, position, referral):
        self.position = position
        self.referral = referral


@api_view
@extend_schema(
    parameters=[OpenApiParameter("id", ID_SCHEMA, OpenApiParameter.PATH)],
    responses={200: WaitingListEntrySerializer(many=True), **PROBLEM_RESPONSES},
)
class SchemeWaitingList(APIView):
    """The waiting list of a scheme in order; the reader sees the referrals it may see, each
    with its real position in the whole list."""

    required_action = Action.VIEW_PERSON

    def get(self, request, pk):
        if int(pk) > MAX_ID:
            raise Http404
        membership = membership_of(request)
        scheme = get_object_or_404(Scheme.objects.in_perimeter_of(membership), pk=pk)
        order = list(Referral.objects.waiting_list(scheme.pk).values_list("pk", flat=True))
        visible = referrals_for(membership).filter(
            scheme_id=scheme.pk, status=ReferralStatus.WAITLISTED
        )
        by_id = {referral.pk: referral for referral in visible}
        entries = [
            WaitingEntry(position, by_id[pk])
            for position, pk in enumerate(order, start=1)
            if pk in by_id
        ]
        log_persons(request, [entry.referral.person for entry in entries])
        data = WaitingListEntrySerializer(
            entries, many=True, context={"membership": membership}
        ).data
        return Response(data)
