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


def iban_checksum(field: str):
    """A database expression that is 1 when a Saudi IBAN's ISO 13616 check digits are right (and for an
    empty or non-Saudi value, which other constraints judge): the digits after the check digits, then
    "SA" as 28 10, then the check digits, mod 97."""
    from django.db.models import Case, DecimalField, Value, When
    from django.db.models.functions import Cast, Concat, Mod, Substr
    digits = Concat(Substr(field, 5), Value("2810"), Substr(field, 3, 2))
    return Case(When(**{f"{field}__regex": SAUDI_IBAN_PATTERN},
                     then=Mod(Cast(digits, DecimalField(max_digits=40, decimal_places=0)), Value(97))),
                default=Value(1), output_field=DecimalField(max_digits=40, decimal_places=0))
