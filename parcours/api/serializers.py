"""API representations: only the fields the reader needs."""

from rest_framework import serializers

from parcours.api.fields import BlankAsNullChoiceField
from parcours.people.models import LanguageLevel, Person
from parcours.territories.models import Directorate


class DirectorateSerializer(serializers.ModelSerializer):
    departments = serializers.SerializerMethodField()

    class Meta:
        model = Directorate
        fields = ["code", "name", "departments"]

    def get_departments(self, directorate) -> list[str]:
        return sorted(d.code for d in directorate.departments.all())


class PersonSerializer(serializers.ModelSerializer):
    nationality = serializers.CharField(source="nationality.name", default=None, allow_null=True)
    language_level = BlankAsNullChoiceField(choices=LanguageLevel.choices)
    department = serializers.CharField(source="department.code")
    directorate = serializers.CharField(source="directorate.code")

    class Meta:
        model = Person
        fields = [
            "id",
            "last_name",
            "usual_name",
            "first_names",
            "sex",
            "birth_date",
            "nationality",
            "language_level",
            "department",
            "directorate",
            "employment_status",
            "ft_registered",
            "ft_identifier",
            "ft_registration_date",
            "rsa_recipient",
            "agir_followed",
        ]
        read_only_fields = fields
