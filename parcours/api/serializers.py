"""API representations: one per audience, each within its projection (referrals.projection)."""

from rest_framework import serializers

from parcours.api.fields import BlankAsNullChoiceField
from parcours.people.models import LanguageLevel, Person
from parcours.referrals.projection import PARTNER_FIELDS, Audience, audience_of
from parcours.territories.models import Directorate


class DirectorateSerializer(serializers.ModelSerializer):
    departments = serializers.SerializerMethodField()

    class Meta:
        model = Directorate
        fields = ["code", "name", "departments"]

    def get_departments(self, directorate) -> list[str]:
        return sorted(d.code for d in directorate.departments.all())


class DtPersonSerializer(serializers.ModelSerializer):
    """The person file as DT staff of its directorate read it."""

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


class PartnerPersonSerializer(serializers.ModelSerializer):
    """A referred person as a partner reads it: the partner projection, nothing more.

    Issue 10 (door 1): nationality, employment, RSA, France Travail identifier and AGIR follow-up
    are never sent to a partner, whatever the channel.
    """

    language_level = BlankAsNullChoiceField(choices=LanguageLevel.choices)
    department = serializers.CharField(source="department.code")

    class Meta:
        model = Person
        fields = ["id", *PARTNER_FIELDS]
        read_only_fields = fields


PERSON_SERIALIZERS = {
    Audience.DT_STAFF: DtPersonSerializer,
    Audience.PARTNER: PartnerPersonSerializer,
}


def person_serializer_for(membership):
    """The serializer of the membership's audience; aggregate-only roles never get here (403),
    and fall back to the narrowest one if they ever did."""
    return PERSON_SERIALIZERS.get(audience_of(membership), PartnerPersonSerializer)
