"""API v1 indicators (issue 17): the monthly report a token's viewer gets on the figures page.

The document is built by indicators.viewer, the function the page uses: exact for the DT,
the protected release (small counts hidden, "s") for anyone else, recorded for its audience
on every read and refused (409) rather than leaked when it cannot be protected.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from parcours.api.filters import MAX_ID
from parcours.api.problems import PROBLEM_RESPONSES, PROBLEM_TYPE, problem
from parcours.api.views import api_view
from parcours.core.replica import reading_replica
from parcours.indicators.documents import HIDDEN_MARK, ReportDocument
from parcours.indicators.months import MonthField, period_between
from parcours.indicators.perimeters import perimeter_for
from parcours.indicators.release import ReleaseRefused
from parcours.indicators.tables import TOTAL
from parcours.indicators.viewer import released_document
from parcours.organisations.permissions import Action

# The months the page accepts (indicators.months: 2000-01 to 2099-12), as a pattern.
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"


class ReleaseRefusedProblem(APIException):
    status_code = 409
    default_code = "release_refused"


@extend_schema_field(
    {"type": "string", "pattern": MONTH_PATTERN, "maxLength": 7, "example": "2026-01"}
)
class MonthParameter(serializers.CharField):
    """A month "AAAA-MM", checked as the page checks it (indicators.months.MonthField)."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return MonthField(required=self.required).clean(text)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class IndicatorFilters(serializers.Serializer):
    start = MonthParameter(help_text="Premier mois (AAAA-MM, de 2000-01 à 2099-12).")
    end = MonthParameter(
        required=False,
        help_text="Dernier mois (AAAA-MM), au plus 24 mois après le premier ; absent : un mois.",
    )
    directorate = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Une direction territoriale du périmètre (identifiant) ; absent : toutes.",
    )

    def __init__(self, *args, perimeter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.perimeter = perimeter

    def validate_directorate(self, value):
        if value not in self.perimeter.ids:
            raise serializers.ValidationError(
                _("Cette direction territoriale n'est pas dans votre périmètre.")
            )
        return value

    def validate(self, data):
        try:
            data["period"] = period_between(data["start"], data.get("end"))
        except DjangoValidationError as error:
            raise serializers.ValidationError({"end": error.messages}) from error
        return data


def _cell(value):
    """A value as the exports print it: the count, or null with the mark "s" when hidden."""
    return {"value": value, "flag": HIDDEN_MARK if value is None else None}


def _table(block) -> dict:
    published = block.published
    lines = published.lines()
    rows = [
        {
            "code": line["code"],
            "label": str(line["label"]),
            "cells": [_cell(v) for v in line["cells"]],
            "total": _cell(line["total"]),
        }
        for line in lines
    ]
    return {
        "caption": block.caption,
        "directorate": (
            {"id": block.directorate.id, "name": block.directorate.name}
            if block.directorate
            else None
        ),
        "month": str(block.month) if block.month else None,
        "columns": [{"code": code, "label": str(label)} for code, label in published.columns],
        "rows": [row for row in rows if row["code"] != TOTAL],
        "totals": next(row for row in rows if row["code"] == TOTAL),
    }


def document_json(document: ReportDocument) -> dict:
    """The report as the page and the exports give it, as JSON."""
    indicators = []
    for section in document.sections:
        for indicator in section.indicators:
            indicators.append(
                {
                    "code": indicator.code,
                    "label": str(indicator.label),
                    "section": str(section.section.title),
                    "tables": [_table(b) for b in section.blocks if b.indicator == indicator],
                }
            )
    period = document.period
    return {
        "report": document.definition.code,
        "title": document.title,
        "period": {"start": str(period.first), "end": str(period.last), "label": period.label},
        "perimeter": document.perimeter_label,
        "exact": document.exact,
        "threshold": document.threshold,
        "indicators": indicators,
    }


class IndicatorCell(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True)
    flag = serializers.ChoiceField(
        choices=[HIDDEN_MARK], allow_null=True, help_text="« s » : secret statistique."
    )


class IndicatorRow(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    cells = IndicatorCell(many=True)
    total = IndicatorCell()


class IndicatorColumn(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class IndicatorTableDirectorate(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IndicatorTable(serializers.Serializer):
    caption = serializers.CharField()
    directorate = IndicatorTableDirectorate(
        allow_null=True, help_text="Absent du mode exact : le tableau couvre toute la sélection."
    )
    month = serializers.CharField(allow_null=True)
    columns = IndicatorColumn(many=True)
    rows = IndicatorRow(many=True)
    totals = IndicatorRow()


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    section = serializers.CharField()
    tables = IndicatorTable(many=True)


class IndicatorPeriod(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()
    label = serializers.CharField()


class IndicatorReport(serializers.Serializer):
    """The shape of document_json, for the OpenAPI document."""

    report = serializers.CharField()
    title = serializers.CharField()
    period = IndicatorPeriod()
    perimeter = serializers.CharField()
    exact = serializers.BooleanField(help_text="Vrai : chiffres exacts de la DT ; faux : protégés.")
    threshold = serializers.IntegerField(help_text="Seuil du secret statistique.")
    indicators = IndicatorSerializer(many=True)


@api_view
@extend_schema(
    parameters=[IndicatorFilters],
    responses={
        200: IndicatorReport,
        **PROBLEM_RESPONSES,
        (409, PROBLEM_TYPE): problem("Chiffres impossibles à protéger : non publiés"),
    },
)
class IndicatorReportView(APIView):
    """The monthly report of the token's perimeter: exact for its DT, protected elsewhere."""

    required_action = Action.VIEW_REPORT

    def get(self, request):
        membership = request._request.membership
        # Partners are refused by the matrix (Action.VIEW_REPORT): their figures are their own
        # referrals and seats, on their « Chiffres » page (issue 16.3).
        perimeter = perimeter_for(membership)
        if not perimeter.directorates:
            raise PermissionDenied(_("Aucune direction territoriale dans votre périmètre."))
        filters = IndicatorFilters(data=request.query_params.dict(), perimeter=perimeter)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        perimeter = perimeter.narrowed(data.get("directorate"))
        # As the page: reads from the replica when there is one; a release outside the DT is
        # recorded for its audience (indicators.viewer), or refused when it cannot be protected.
        try:
            with reading_replica():
                document = released_document(perimeter, data["period"])
        except ReleaseRefused as refused:
            raise ReleaseRefusedProblem(refused.message) from refused
        return Response(document_json(document))
