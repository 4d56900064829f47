"""Paging that refuses what it cannot honour (issue 14): 400, never a 500; cursors (issue 17).

DRF's own class ignores an invalid `limit` and overflows on `offset=99999999999999999999`;
here both must be whole numbers within bounds, and the OpenAPI document states the bounds.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, LimitOffsetPagination

MAX_LIMIT = 500
# Far beyond any perimeter (a DT follows some thousands of people), far within a 64-bit integer.
MAX_OFFSET = 10_000_000
# A cursor's position is an id (ordering by primary key): the largest an integer column holds.
MAX_POSITION = 2**31 - 1


def _bounded(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:  # absent; an empty value is no number (Schemathesis: 400)
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ValidationError(
            {
                name: [
                    _("« %(name)s » doit être un nombre entier entre %(low)s et %(high)s.")
                    % {"name": name, "low": low, "high": high}
                ]
            }
        )
    return int(raw)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        return _bounded(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return _bounded(request, self.offset_query_param, 0, 0, MAX_OFFSET)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


class BoundedCursorPagination(CursorPagination):
    """Pages by cursor (issue 17): stable while rows are added, no count, no deep offset.

    The cursor is opaque but arrives from outside: a forged one (a position that is not an
    id) names no page and is a 404 problem, never a server error. Not a 400: any string is a
    well-formed cursor as far as the document can say, so it is not invalid input.
    """

    page_size = 100
    max_page_size = MAX_LIMIT
    page_size_query_param = "limit"
    ordering = "-pk"

    def get_page_size(self, request):
        return _bounded(request, self.page_size_query_param, self.page_size, 1, self.max_page_size)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = False
        position = getattr(cursor, "position", None)
        if cursor is False or (
            position is not None
            and not (position.isascii() and position.isdigit() and int(position) <= MAX_POSITION)
        ):
            raise NotFound(_("Curseur de pagination inconnu : repartez de la première page."))
        return cursor

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            if parameter["name"] == self.cursor_query_param:
                # What a cursor is made of (base64); control characters are refused earlier.
                parameter["schema"].update({"maxLength": 200, "pattern": "^[A-Za-z0-9+/=]*$"})
        return parameters
