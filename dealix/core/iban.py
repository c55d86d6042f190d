"""Saudi IBANs: `SA` + 22 digits with a correct ISO 13616 checksum (checked with schwifty)."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

SAUDI_IBAN_PATTERN = r"^SA[0-9]{22}$"


def normalise_iban(value: str) -> str:
    from dealix.core.text import normalise_digits
    return normalise_digits(value or "").replace(" ", "").replace("-", "").upper()


def validate_saudi_iban(value: str) -> None:
    compact = normalise_iban(value)
    if not compact:
        return
    message = _("Enter a valid Saudi IBAN: SA followed by 22 digits, e.g. SA03 8000 0000 6080 1016 7519.")
    if len(compact) != 24 or not compact.startswith("SA") or not compact[2:].isdigit():
        raise ValidationError(message, code="invalid_iban")
    try:
        IBAN(compact)
    except SchwiftyException as error:
        raise ValidationError(message, code="invalid_iban") from error
