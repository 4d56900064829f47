"""Serializer fields that say what the API really sends (issue 14, a truthful schema)."""

from rest_framework import serializers


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice stored as "" when unknown, sent as null: "" is outside the enum the OpenAPI
    document promises (`language_level` of a person never positioned)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


class StrictCharField(serializers.CharField):
    """Text that must be sent as a JSON string: DRF would turn `0` or `true` into "0"/"True",
    accepting what the OpenAPI document declares invalid (Schemathesis, issue 17)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false, not 0, 1 or "yes" (same reason as StrictCharField)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data
