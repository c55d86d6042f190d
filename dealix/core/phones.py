"""Phone numbers are stored in E.164 (`+9665XXXXXXXX`); Saudi is the default region."""
import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dealix.core.text import normalise_digits

DEFAULT_REGION = "SA"


def normalise_phone(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of a phone number typed any usual way, or None when it is not a valid number."""
    if not value:
        return None
    text = normalise_digits(str(value)).strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    if value and normalise_phone(value) is None:
        raise ValidationError(_("Enter a valid phone number, for example 0501234567 or +966501234567."),
                              code="invalid_phone")
