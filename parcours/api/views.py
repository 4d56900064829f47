"""API v1 views: thin, scoped by the membership in use, declared in the permission matrix."""

from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound

from parcours.api.filters import ID_SCHEMA, MAX_ID, SEARCH_SCHEMA, search_text
from parcours.api.problems import PROBLEM_RESPONSES
from parcours.api.serializers import (
    DirectorateSerializer,
    DtPersonSerializer,
    person_serializer_for,
    person_shape,
)
from parcours.organisations.permissions import Action
from parcours.people.models import Person
from parcours.privacy.access_log import Operation, record_access
from parcours.territories.models import Directorate

# The API authenticates by itself (token or session) and answers 401/403, never a redirect
# to the login page: LoginRequiredMiddleware is lifted here, MatrixPermission applies.
api_view = method_decorator(login_not_required, name="dispatch")


def log_persons(request, persons):
    """Write the persons an API answer holds to the access log (one row per answer)."""
    if persons:
        record_access(
            user=request.user,
            membership=request._request.membership,
            persons=persons,
            operation=Operation.API_READ,
            path_name=request._request.resolver_match.view_name,
        )


class AccessLoggedMixin:
    """Every person the API returns is written to the access log, like a page read; each
    audience reads its own projection (issue 10: the partner's, never the DT's file)."""

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI document: the widest shape
            return DtPersonSerializer
        return person_serializer_for(getattr(self.request._request, "membership", None))

    def log_persons(self, persons):
        log_persons(self.request, persons)


@api_view
@extend_schema(responses={200: DirectorateSerializer(many=True), **PROBLEM_RESPONSES})
class DirectorateList(generics.ListAPIView):
    """OFII territorial directorates and their perimeters (reference data)."""

    required_action = Action.VIEW_PERSON
    serializer_class = DirectorateSerializer
    queryset = Directorate.objects.prefetch_related("departments").order_by("code")


@api_view
@extend_schema(
    parameters=[OpenApiParameter("q", SEARCH_SCHEMA, description="Nom, prénom ou AGDREF")],
    responses={200: person_shape(many=True), **PROBLEM_RESPONSES},
)
class PersonList(AccessLoggedMixin, generics.ListAPIView):
    """Persons of the perimeter of the token's membership (need-to-know), searchable."""

    required_action = Action.VIEW_PERSON

    def get_queryset(self):
        persons = Person.objects.visible_to(self.request._request.membership).select_related(
            "nationality", "department", "directorate"
        )
        return persons.search(search_text(self.request))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.log_persons(page)
        return page


@api_view
@extend_schema(
    parameters=[OpenApiParameter("id", ID_SCHEMA, OpenApiParameter.PATH)],
    responses={200: person_shape(), **PROBLEM_RESPONSES},
)
class PersonDetail(AccessLoggedMixin, generics.RetrieveAPIView):
    """One person of the perimeter; 404 outside it."""

    required_action = Action.VIEW_PERSON

    def get_queryset(self):
        return Person.objects.visible_to(self.request._request.membership).select_related(
            "nationality", "department", "directorate"
        )

    def get_object(self):
        if int(self.kwargs["pk"]) > MAX_ID:  # no such row, and SQLite cannot even compare it
            raise NotFound
        person = super().get_object()
        self.log_persons([person])
        return person
