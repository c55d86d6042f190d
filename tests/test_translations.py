"""Every user-facing string is in the Arabic catalogue, translated, and not fuzzy."""
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO_FILE = ROOT / "locale/ar/LC_MESSAGES/django.po"
CODE_DIRS = ["dealix", "crm", "affiliates", "compliance", "knowledge"]
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None, "ngettext": (1, 2), "ngettext_lazy": (1, 2),
            "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2)}
TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
BLOCK_TAG = re.compile(r"{%\s*blocktranslate\s+trimmed(?P<args>[^%]*)%}(?P<body>.*?){%\s*(?:plural|endblocktranslate)\s*%}",
                       re.S)


def catalogue():
    with PO_FILE.open("rb") as handle:
        return read_po(handle, locale="ar")


def strings_in_code() -> set[str]:
    found = set()
    for directory in CODE_DIRS:
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / directory, method_map=[("**/migrations/**", "ignore"), ("**.py", "python")],
                keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    # In templates Django doubles every literal "%" of a message (makemessages writes "Rate (%%)" for
    # {% translate "Rate (%)" %}, and the tag looks that msgid up), so the catalogue holds them doubled.
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        found.update(match.group(2).replace("%", "%%") for match in TRANSLATE_TAG.finditer(text))
        for match in BLOCK_TAG.finditer(text):
            body = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", match.group("body").replace("%", "%%"))
            found.add(" ".join(line.strip() for line in body.strip().splitlines()))
    for text_template in (ROOT / "templates").rglob("*.txt"):
        found.update(match.group(2).replace("%", "%%")
                     for match in TRANSLATE_TAG.finditer(text_template.read_text(encoding="utf-8")))
    return {message for message in found if message}


def test_every_string_in_the_code_is_in_the_arabic_catalogue():
    known = {message.id if isinstance(message.id, str) else message.id[0] for message in catalogue() if message.id}

    missing = sorted(strings_in_code() - known)

    assert missing == [], "run `make messages` and translate: " + repr(missing[:10])


def test_the_arabic_catalogue_has_no_empty_or_fuzzy_entries():
    problems = []
    for message in catalogue():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)

    assert problems == []
