"""Arabic-aware text normalisation for search: people type أحمد, احمد and إحمد for the same name.

`normalise_text` gives the folded, lower-cased form stored beside names for trigram search and applied
to the query, so both sides fold the same way. The stored value itself is never changed."""
import re
import unicodedata

_ARABIC_INDIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LETTER_FOLDS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",  # alef forms
    "ى": "ي",                                # alef maksura
    "ة": "ه",                                # teh marbuta
    "ؤ": "و",                                # waw with hamza
    "ئ": "ي",                                # yeh with hamza
})
# Tashkeel (harakat, tanween, shadda, sukun, superscript alef, Quranic marks) and tatweel.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_SPACES = re.compile(r"\s+")


def normalise_digits(value: str) -> str:
    return value.translate(_ARABIC_INDIC_DIGITS)


def normalise_text(value: str | None) -> str:
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = _MARKS.sub("", text)
    text = text.translate(_LETTER_FOLDS).translate(_ARABIC_INDIC_DIGITS)
    return _SPACES.sub(" ", text).strip().lower()


def phone_search_forms(phone: str | None) -> list[str]:
    """A stored E.164 phone as people type it: +966501234567, 966501234567 and 0501234567."""
    if not phone:
        return []
    digits = "".join(ch for ch in normalise_digits(phone) if ch.isdigit())
    forms = [phone, digits]
    if digits.startswith("966"):
        forms.append("0" + digits[3:])
    return forms
