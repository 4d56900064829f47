"""API representations: one per audience, each within its projection (referrals.projection)."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from parcours.api.fields import BlankAsNullChoiceField, StrictBooleanField, StrictCharField
from parcours.people.models import LanguageLevel, Person
from parcours.reception.models import Convocation, ReceptionSession
from parcours.referrals.models import Referral, Scheme
from parcours.referrals.projection import (
    PARTNER_FIELDS,
    Audience,
    audience_of,
    sees_full_file,
    sent_reasons_for,
)
from parcours.referrals.states import DropOutReason, RefusalReason
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
    # "" when unknown: a plain string, since "" is no valid `email` format (Schemathesis).
    email = serializers.CharField(read_only=True)

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


def person_shape(many=False):
    """What a person reads as in the OpenAPI document: the DT staff's file, or the partner
    projection (issue 10), depending on the audience of the token's membership."""
    return PolymorphicProxySerializer(
        component_name="Person",
        serializers=[DtPersonSerializer, PartnerPersonSerializer],
        resource_type_field_name=None,
        many=many,
    )


def referral_person_data(membership, referral) -> dict:
    """The referred person as the reader may see them: the whole file for DT staff of the
    person's directorate, the partner projection for everyone else (referrals.projection)."""
    if sees_full_file(membership, referral):
        return DtPersonSerializer(referral.person).data
    return PartnerPersonSerializer(referral.person).data


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as its sender and its receiver read it; the person inside is projected."""

    reference = serializers.CharField(read_only=True)
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    organisation = serializers.CharField(source="scheme.organisation.name", read_only=True)
    referrer_organisation = serializers.CharField(
        source="referrer_organisation.name", read_only=True
    )
    refusal_reason = BlankAsNullChoiceField(choices=RefusalReason.choices)
    drop_out_reason = BlankAsNullChoiceField(choices=DropOutReason.choices)
    eligibility_reasons = serializers.SerializerMethodField()
    person = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "status",
            "origin",
            "scheme",
            "scheme_name",
            "organisation",
            "referrer_organisation",
            "note",
            "planned_entry_date",
            "sent_at",
            "answered_at",
            "accepted_at",
            "refusal_reason",
            "answer_comment",
            "entered_on",
            "exited_on",
            "drop_out_reason",
            "closed_at",
            "eligibility_reasons",
            "person",
        ]
        read_only_fields = fields

    def _membership(self):
        return self.context["membership"]

    def get_eligibility_reasons(self, referral) -> list[str]:
        return sent_reasons_for(self._membership(), referral)

    @extend_schema_field(person_shape())
    def get_person(self, referral):
        return referral_person_data(self._membership(), referral)


class RefuseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RefusalReason.choices)
    comment = StrictCharField(required=False, allow_blank=True, max_length=2000)


class AcceptSerializer(serializers.Serializer):
    comment = StrictCharField(required=False, allow_blank=True, max_length=2000)


class EntrySerializer(serializers.Serializer):
    entered_on = serializers.DateField()


class ExitSerializer(serializers.Serializer):
    exited_on = serializers.DateField()
    completed = StrictBooleanField()
    reason = serializers.ChoiceField(
        choices=DropOutReason.choices,
        required=False,
        help_text="Obligatoire pour une sortie anticipée.",
    )
    comment = StrictCharField(required=False, allow_blank=True, max_length=2000)


class SchemeSerializer(serializers.ModelSerializer):
    """A scheme and its seats: how many, how many taken, how many people wait."""

    organisation = serializers.CharField(source="organisation.name", read_only=True)
    departments = serializers.SerializerMethodField()
    seats_left = serializers.IntegerField(read_only=True, allow_null=True)
    waiting_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Scheme
        fields = [
            "id",
            "name",
            "kind",
            "organisation",
            "departments",
            "capacity",
            "seats_taken",
            "seats_left",
            "waiting_count",
            "is_active",
        ]
        read_only_fields = fields

    def get_departments(self, scheme) -> list[str]:
        return sorted(d.code for d in scheme.departments.all())


class WaitingListEntrySerializer(serializers.Serializer):
    """One place in a scheme's waiting list, first come first served."""

    position = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral.pk")
    waiting_since = serializers.DateTimeField(source="referral.answered_at")
    person = serializers.SerializerMethodField()

    @extend_schema_field(person_shape())
    def get_person(self, entry):
        return referral_person_data(self.context["membership"], entry.referral)


class ReceptionSessionSerializer(serializers.ModelSerializer):
    """A reception half-day (PFA) of the directorate."""

    directorate = serializers.CharField(source="directorate.code", read_only=True)
    # "08:30", local time: OpenAPI's `time` format wants an offset a convocation hour has not.
    start_time = serializers.SerializerMethodField()
    seats_taken = serializers.IntegerField(read_only=True)
    present_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReceptionSession
        fields = [
            "id",
            "directorate",
            "date",
            "half_day",
            "start_time",
            "place",
            "capacity",
            "seats_taken",
            "present_count",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"})
    def get_start_time(self, session) -> str:
        return session.start_time.strftime("%H:%M")


class ConvocationSerializer(serializers.ModelSerializer):
    """A person convoked to a session, with their attendance (DT staff only)."""

    person = DtPersonSerializer(read_only=True)
    rescheduled_to = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Convocation
        fields = ["id", "session", "status", "rescheduled_to", "letter_language", "person"]
        read_only_fields = fields
