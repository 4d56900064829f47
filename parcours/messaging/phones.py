"""Phone numbers for SMS: validated and normalised with `phonenumbers`, mobile numbers only."""

import phonenumbers

# Numbers written without a country code are read as French (the persons live in France).
DEFAULT_REGION = "FR"
_MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def mobile_e164(raw: str) -> str | None:
    """The number in E.164 form (+33612345678) if it is a valid mobile number, else None.

    A landline cannot receive an SMS: it is refused here rather than failing at the provider.
    """
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in _MOBILE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
