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
