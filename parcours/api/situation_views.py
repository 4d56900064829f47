"""API v1 situation updates (issue 17, « situation updates recorded by partners »; issue 20).

GET and POST `/persons/{id}/situations/`, GET `/situations/`: a partner reads and writes the
updates of the persons referred to it (only those its organisation recorded are read back),
DT staff those of their DT. Writes go through `people.services.record_situation` (the same as
the pages); an `Idempotency-Key` header makes a retried POST record once. Each answer's
persons are written to the access log.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from parcours.api.fields import BlankAsNullChoiceField, StrictCharField
from parcours.api.filters import ID_SCHEMA, MAX_ID
from parcours.api.pagination import BoundedCursorPagination
from parcours.api.problems import PROBLEM_RESPONSES
from parcours.api.views import api_view, log_persons
from parcours.core.bounds import MAX_DATE, MIN_DATE
from parcours.organisations.permissions import Action
from parcours.people import services
from parcours.people.situations import (
    ROME_CODE_PATTERN,
    WORK_LANGUAGE_TRAINING_MAX_HOURS,
    ContractType,
    SituationKind,
    SituationSource,
    SituationUpdate,
    TrainingKind,
)
from parcours.referrals.visibility import persons_for_situations, situations_visible_to

# No control characters (core.bounds), as the document states for every text.
NO_CONTROL = RegexValidator(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")
IDEMPOTENCY_SCHEMA = {"type": "string", "maxLength": 100, "pattern": "^[\\x21-\\x7e]+$"}


class SituationUpdateSerializer(serializers.ModelSerializer):
    """A change of situation as read back: what, when, by which organisation."""

    person = serializers.IntegerField(source="person_id", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    contract_type = BlankAsNullChoiceField(choices=ContractType.choices)
    training_kind = BlankAsNullChoiceField(choices=TrainingKind.choices)
    source = serializers.ChoiceField(choices=SituationSource.choices, read_only=True)

    class Meta:
        model = SituationUpdate
        fields = [
            "id",
            "person",
            "kind",
            "occurred_on",
            "contract_type",
            "rome_code",
            "employer_name",
            "training_kind",
            "hours",
            "detail",
            "organisation",
            "source",
            "recorded_at",
        ]
        read_only_fields = fields


class SituationInputSerializer(serializers.Serializer):
    """A change to record. A job needs `contract_type` and `rome_code`; a training its
    `training_kind`; language training on working time its `hours` (1 to 80, CIAI law);
    « other » its `detail`. Fields of another kind are refused."""

    kind = serializers.ChoiceField(choices=SituationKind.choices)
    occurred_on = serializers.DateField(help_text="Date du changement, au plus tard aujourd'hui.")
    contract_type = serializers.ChoiceField(choices=ContractType.choices, required=False)
    rome_code = StrictCharField(
        required=False,
        max_length=5,
        validators=[RegexValidator(ROME_CODE_PATTERN)],
        help_text="Code ROME du métier : une lettre de A à N puis quatre chiffres.",
    )
    employer_name = StrictCharField(
        required=False, allow_blank=True, max_length=150, validators=[NO_CONTROL]
    )
    training_kind = serializers.ChoiceField(choices=TrainingKind.choices, required=False)
    hours = serializers.IntegerField(
        required=False, min_value=1, max_value=WORK_LANGUAGE_TRAINING_MAX_HOURS
    )
    detail = StrictCharField(
        required=False, allow_blank=True, max_length=200, validators=[NO_CONTROL]
    )

    def validate_occurred_on(self, value):
        if not MIN_DATE <= value <= MAX_DATE:
            raise ValidationError(_("Date hors des bornes acceptées."))
        return value


def _person(request, pk, queryset):
    if int(pk) > MAX_ID:  # no such row, and SQLite cannot even compare it
        raise Http404
    return get_object_or_404(queryset, pk=pk)


class SituationListBase(generics.ListAPIView):
    serializer_class = SituationUpdateSerializer
    pagination_class = BoundedCursorPagination

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        log_persons(self.request, [update.person for update in page])
        return page


@api_view
@extend_schema(responses={200: SituationUpdateSerializer(many=True), **PROBLEM_RESPONSES})
class SituationList(SituationListBase):
    """Every change of situation the token may read, newest first."""

    required_action = Action.RECORD_SITUATION

    def get_queryset(self):
        membership = self.request._request.membership
        return situations_visible_to(membership).select_related("organisation", "person")


@api_view
@extend_schema(parameters=[OpenApiParameter("id", ID_SCHEMA, OpenApiParameter.PATH)])
class PersonSituations(SituationListBase):
    """The changes of situation of one person the token may write for (404 otherwise)."""

    required_action = Action.RECORD_SITUATION
    parser_classes = [JSONParser]

    def get_queryset(self):
        membership = self.request._request.membership
        person = _person(self.request, self.kwargs["pk"], persons_for_situations(membership))
        return situations_visible_to(membership, [person.pk]).select_related(
            "organisation", "person"
        )

    @extend_schema(responses={200: SituationUpdateSerializer(many=True), **PROBLEM_RESPONSES})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Enregistrer un changement de situation",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                IDEMPOTENCY_SCHEMA,
                OpenApiParameter.HEADER,
                description="Une même clé envoyée deux fois n'enregistre qu'une fois.",
            )
        ],
        request=SituationInputSerializer,
        responses={
            201: SituationUpdateSerializer,
            200: OpenApiResponse(
                SituationUpdateSerializer, description="Déjà enregistré avec cette clé"
            ),
            **PROBLEM_RESPONSES,
        },
    )
    def post(self, request, pk):
        key = request.headers.get("Idempotency-Key")
        if key is not None and not (
            0 < len(key) <= 100 and key.isascii() and key.isprintable() and " " not in key
        ):
            raise ValidationError({"Idempotency-Key": [_("Clé d'idempotence invalide.")]})
        membership = request._request.membership
        person = _person(request, pk, persons_for_situations(membership))
        payload = SituationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            outcome = services.record_situation(
                person,
                payload.validated_data,
                actor=request.user,
                organisation=membership.organisation,
                source=SituationSource.API,
                idempotency_key=key or "",
            )
        except DjangoValidationError as error:
            detail = (
                error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
            )
            raise ValidationError(detail) from error
        log_persons(request, [person])
        update = SituationUpdate.objects.select_related("organisation").get(pk=outcome.record.pk)
        return Response(
            SituationUpdateSerializer(update).data,
            status=status.HTTP_200_OK if outcome.replayed else status.HTTP_201_CREATED,
        )
