"""API v1 reception sessions (PFA) and their convocations, for DT staff only (issue 17)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from parcours.api.filters import ID_SCHEMA, MAX_ID
from parcours.api.pagination import BoundedCursorPagination
from parcours.api.problems import PROBLEM_RESPONSES
from parcours.api.serializers import ConvocationSerializer, ReceptionSessionSerializer
from parcours.api.views import api_view, log_persons
from parcours.organisations.permissions import Action
from parcours.people.models import Person
from parcours.reception.models import Convocation, ReceptionSession


class SessionFilters(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text="Sessions de ce jour ou après.")
    date_until = serializers.DateField(required=False, help_text="Sessions de ce jour ou avant.")


@api_view
@extend_schema(
    parameters=[SessionFilters],
    responses={200: ReceptionSessionSerializer(many=True), **PROBLEM_RESPONSES},
)
class SessionList(generics.ListAPIView):
    """The reception half-days of the token's directorate, with seats taken and presence."""

    # Convoking is what DT staff do with sessions; partners (the CIP) use the pages.
    required_action = Action.CONVOKE
    serializer_class = ReceptionSessionSerializer
    pagination_class = BoundedCursorPagination

    def get_queryset(self):
        filters = SessionFilters(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        sessions = (
            ReceptionSession.objects.visible_to(self.request._request.membership)
            .select_related("directorate")
            .with_counts()
        )
        if "date_from" in data:
            sessions = sessions.filter(date__gte=data["date_from"])
        if "date_until" in data:
            sessions = sessions.filter(date__lte=data["date_until"])
        return sessions


@api_view
@extend_schema(
    parameters=[OpenApiParameter("id", ID_SCHEMA, OpenApiParameter.PATH)],
    responses={200: ConvocationSerializer(many=True), **PROBLEM_RESPONSES},
)
class SessionConvocations(generics.ListAPIView):
    """The persons convoked to one session, with their attendance (access-logged)."""

    required_action = Action.CONVOKE
    serializer_class = ConvocationSerializer
    pagination_class = BoundedCursorPagination

    def get_queryset(self):
        if int(self.kwargs["pk"]) > MAX_ID:
            raise Http404
        membership = self.request._request.membership
        session = get_object_or_404(
            ReceptionSession.objects.visible_to(membership), pk=self.kwargs["pk"]
        )
        return Convocation.objects.filter(
            session=session, person__in=Person.objects.visible_to(membership)
        ).select_related("person__nationality", "person__department", "person__directorate")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        log_persons(self.request, [convocation.person for convocation in page])
        return page
