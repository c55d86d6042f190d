"""Importing leads from CSV or Excel: read the file (UTF-8 or Windows-1256, the encoding of Arabic Excel
CSVs), map its columns to lead fields, check every row, then create the leads all at once or not at
all. Duplicates (the same E.164 phone or lower-cased email as an existing lead, or as an earlier row of
the file) are skipped, merged or created as the user chose.

Built for 100,000 rows: one pass to read, phones normalised on a fast path for the usual Saudi forms,
existing duplicates looked up in chunks, leads and their audit rows written with bulk_create."""
from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from crm.choices import LeadSource, LeadStatus, Sector
from crm.models import Lead
from crm.models.imports import DuplicateMode, ImportStatus, LeadImport
from crm.scoring import score_lead
from crm.services import leads_referred
from dealix.accounts import roles
from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.core.audit import current_ip
from dealix.core.choices import AuditAction
from dealix.core.models import AuditLog
from dealix.core.phones import normalise_phone
from dealix.core.seeding import copy_rows
from dealix.core.text import normalise_digits, normalise_text
from dealix.tenancy.rules import current_rules

MAX_FILE_BYTES = 15 * 1024 * 1024
LEAD_COPY_COLUMNS = ("id", "created_at", "updated_at", "search_text", "assigned_to_id", "source", "status", "score",
                     "score_breakdown", "full_name", "phone", "email", "company_name", "sector", "city", "notes",
                     "employees", "referral_code")
AUDIT_COPY_COLUMNS = ("id", "created_at", "updated_at", "user_id", "action", "entity_type", "entity_id", "changes",
                      "ip_address")
MAX_ROWS = 200_000
MAX_NAME_LENGTH = 255

# The lead fields a column can fill, and the header names (folded) that suggest them.
IMPORT_FIELDS = {
    "full_name": (gettext_lazy("Full name"), {"name", "full name", "fullname", "الاسم", "اسم", "الاسم الكامل",
                                               "اسم العميل", "contact name", "lead name"}),
    "phone": (gettext_lazy("Phone"), {"phone", "mobile", "phone number", "mobile number", "الجوال", "رقم الجوال",
                                       "الهاتف", "رقم الهاتف", "جوال", "whatsapp", "واتساب"}),
    "email": (gettext_lazy("Email"), {"email", "e-mail", "email address", "البريد", "البريد الالكتروني",
                                       "الايميل", "ايميل"}),
    "company_name": (gettext_lazy("Company"), {"company", "company name", "organisation", "organization",
                                                "الشركه", "اسم الشركه", "المنشاه", "الجهه"}),
    "sector": (gettext_lazy("Sector"), {"sector", "industry", "القطاع", "المجال", "النشاط"}),
    "city": (gettext_lazy("City"), {"city", "المدينه"}),
    "notes": (gettext_lazy("Notes"), {"notes", "note", "comments", "ملاحظات", "ملاحظه"}),
    "employees": (gettext_lazy("Employees"), {"employees", "staff", "عدد الموظفين", "الموظفين"}),
    # An affiliate's code: the affiliate programme attributes the imported lead once the import commits.
    "referral_code": (gettext_lazy("Referral code"), {"referral code", "referral", "ref code", "affiliate code",
                                                       "partner code", "رمز الاحاله", "كود الاحاله",
                                                       "رمز الشريك", "كود الشريك", "رمز الترشيح", "كود الترشيح"}),
}
REFERRAL_CODE_LENGTH = 20
_SAUDI_MOBILE = re.compile(r"^(?:\+?966|00966|0)?(5\d{8})$")
_SECTOR_BY_NAME = None


class ImportFileError(ValidationError):
    pass


@dataclass
class RowResult:
    number: int                 # 1-based row number in the file, the header being row 1
    values: dict
    errors: list[str] = field(default_factory=list)
    duplicate_of: str | None = None  # id of the existing lead, or "row N" for an earlier row


@dataclass
class Preview:
    rows: list[RowResult]
    valid: int
    invalid: int
    duplicates: int

    @property
    def errors(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]


# --- reading -------------------------------------------------------------------------------------

def detect_format(name: str, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04") or name.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


def decode_csv(raw: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM), else Windows-1256."""
    if b"\x00" in raw[:4096]:
        raise ImportFileError(_("This file is not a CSV or Excel file."), code="not_a_table")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1256"), "windows-1256"
    except UnicodeDecodeError as error:
        raise ImportFileError(_("The file's text encoding is not UTF-8 or Windows-1256 (Arabic)."),
                              code="encoding") from error


def read_table(raw: bytes, file_format: str) -> tuple[list[str], list[list[str]], str]:
    """(headers, rows, encoding) of a CSV or XLSX file; empty rows dropped."""
    if file_format == "xlsx":
        headers, rows = _read_xlsx(raw)
        encoding = ""
    else:
        text, encoding = decode_csv(raw)
        headers, rows = _read_csv(text)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not headers or not any(header.strip() for header in headers):
        raise ImportFileError(_("The file has no header row."), code="no_header")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)d rows. Split it into smaller files.") % {"max": MAX_ROWS},
                              code="too_many_rows")
    return [header.strip() for header in headers], rows, encoding


def _read_csv(text: str):
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = next(reader, [])
        rows = [list(row) for row in reader]
    except csv.Error as error:
        raise ImportFileError(_("The file is not a readable CSV file: %(error)s") % {"error": error},
                              code="bad_csv") from error
    if len(headers) < 2 and not any(len(row) > 1 for row in rows[:20]) and not _looks_like_text(sample):
        raise ImportFileError(_("This file is not a CSV or Excel file."), code="not_a_table")
    return headers, rows


def _looks_like_text(sample: str) -> bool:
    printable = sum(1 for ch in sample if ch.isprintable() or ch in "\r\n\t")
    return bool(sample) and printable / len(sample) > 0.95


def _read_xlsx(raw: bytes):
    from openpyxl import load_workbook
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ImportFileError(_("This file is not a CSV or Excel file."), code="not_a_table") from error
    sheet = workbook.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    headers = ["" if value is None else str(value) for value in next(cells, ())]
    rows = [["" if value is None else str(value) for value in row] for row in cells]
    workbook.close()
    return headers, rows


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Lead field → column index, from the header names (Arabic or English, any spelling)."""
    mapping = {}
    for index, header in enumerate(headers):
        folded = normalise_text(header).replace("_", " ")
        for field_name, (_label, names) in IMPORT_FIELDS.items():
            if field_name not in mapping and folded in {normalise_text(name) for name in names}:
                mapping[field_name] = index
    return mapping


# --- checking ------------------------------------------------------------------------------------

def fast_phone(value: str) -> str | None:
    compact = re.sub(r"[\s\-().]", "", normalise_digits(value))
    match = _SAUDI_MOBILE.match(compact)
    if match:
        return "+966" + match.group(1)
    return normalise_phone(value)


def _sector_key(value: str) -> str | None:
    global _SECTOR_BY_NAME
    if _SECTOR_BY_NAME is None:
        from django.utils import translation

        from dealix.core.sample_data import SECTORS
        names = {}
        for key, english, arabic, _points in SECTORS:
            names[normalise_text(english)] = key
            names[normalise_text(arabic)] = key
        for key, label in Sector.choices:
            names[normalise_text(key)] = key
            names[normalise_text(key.replace("_", " "))] = key
            for language in ("en", "ar"):
                with translation.override(language):
                    names[normalise_text(str(label))] = key
        _SECTOR_BY_NAME = names
    return _SECTOR_BY_NAME.get(normalise_text(value))


def check_rows(rows: list[list[str]], mapping: dict[str, int]) -> list[RowResult]:
    """Every row, normalised, with its errors and whether it repeats an earlier row of the file."""
    results = []
    seen_phones: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for offset, row in enumerate(rows):
        number = offset + 2
        values = {name: (row[index].strip() if index < len(row) else "") for name, index in mapping.items()}
        result = RowResult(number=number, values=values)
        name = values.get("full_name", "")
        if not name:
            result.errors.append(_("The name is missing."))
        elif len(name) > MAX_NAME_LENGTH:
            result.errors.append(_("The name is longer than %(max)d characters.") % {"max": MAX_NAME_LENGTH})
        phone = values.get("phone", "")
        if phone:
            normalised = fast_phone(phone)
            if normalised is None:
                result.errors.append(_("“%(phone)s” is not a valid phone number.") % {"phone": phone[:40]})
            else:
                values["phone"] = normalised
        email = values.get("email", "").lower()
        if email:
            try:
                validate_email(email)
                values["email"] = email
            except ValidationError:
                result.errors.append(_("“%(email)s” is not a valid email address.") % {"email": email[:80]})
        if not phone and not email and not result.errors:
            result.errors.append(_("Give at least a phone number or an email."))
        if values.get("sector"):
            key = _sector_key(values["sector"])
            if key is None:
                result.errors.append(_("“%(sector)s” is not a sector Dealix knows.") % {"sector": values["sector"][:60]})
            else:
                values["sector"] = key
        if values.get("employees"):
            digits = normalise_digits(values["employees"]).replace(",", "")
            if not digits.isdigit():
                result.errors.append(_("The number of employees must be a whole number."))
            else:
                values["employees"] = int(digits)
        else:
            values.pop("employees", None)
        if "referral_code" in values:
            # As the lead form keeps `?ref=`: letters and digits, in capitals.
            values["referral_code"] = "".join(
                ch for ch in normalise_digits(values["referral_code"]).upper() if ch.isalnum())[:REFERRAL_CODE_LENGTH]
        for key, limit in (("company_name", 255), ("city", 100), ("email", 255), ("notes", 10000)):
            if len(values.get(key, "")) > limit:
                result.errors.append(_("The %(field)s is too long.") % {"field": str(IMPORT_FIELDS[key][0])})
        if not result.errors:
            earlier = (seen_phones.get(values.get("phone")) if values.get("phone") else None) or \
                      (seen_emails.get(values.get("email")) if values.get("email") else None)
            if earlier:
                result.duplicate_of = f"row {earlier}"
            if values.get("phone"):
                seen_phones.setdefault(values["phone"], number)
            if values.get("email"):
                seen_emails.setdefault(values["email"], number)
        results.append(result)
    _mark_existing_duplicates(results)
    return results


def _mark_existing_duplicates(results: list[RowResult], chunk: int = 5000) -> None:
    phones = sorted({row.values["phone"] for row in results if not row.errors and row.values.get("phone")})
    emails = sorted({row.values["email"] for row in results if not row.errors and row.values.get("email")})
    by_phone, by_email = {}, {}
    for start in range(0, len(phones), chunk):
        by_phone.update(Lead.objects.filter(phone__in=phones[start:start + chunk]).values_list("phone", "pk"))
    for start in range(0, len(emails), chunk):
        by_email.update(Lead.objects.filter(email__in=emails[start:start + chunk]).values_list("email", "pk"))
    for row in results:
        if row.errors or row.duplicate_of:
            continue
        existing = by_phone.get(row.values.get("phone")) or by_email.get(row.values.get("email"))
        if existing:
            row.duplicate_of = str(existing)


def preview(lead_import: LeadImport) -> Preview:
    headers, rows, _encoding = read_table(lead_import.file.read(), lead_import.file_format)
    lead_import.file.seek(0)
    results = check_rows(rows, lead_import.mapping)
    invalid = sum(1 for row in results if row.errors)
    duplicates = sum(1 for row in results if row.duplicate_of and not row.errors)
    return Preview(rows=results, valid=len(results) - invalid, invalid=invalid, duplicates=duplicates)


# --- services ------------------------------------------------------------------------------------

def import_start(*, actor, uploaded) -> LeadImport:
    """Keep the uploaded file and read its header; a file we cannot read is refused at once."""
    roles.require(actor, roles.CRM_WORK)
    if uploaded.size > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than %(size)d MB. Split it into smaller files.") % {
            "size": MAX_FILE_BYTES // (1024 * 1024)}, code="too_large")
    raw = uploaded.read()
    file_format = detect_format(uploaded.name, raw[:8])
    headers, rows, encoding = read_table(raw, file_format)
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows."), code="empty")
    from django.core.files.base import ContentFile
    lead_import = LeadImport(user=actor, original_name=uploaded.name[:255], file_format=file_format,
                             encoding=encoding, headers=headers, row_count=len(rows),
                             mapping=guess_mapping(headers))
    lead_import.file.save(f"{lead_import.pk}.{file_format}", ContentFile(raw), save=False)
    lead_import.save()
    return lead_import


def import_set_mapping(*, actor, lead_import: LeadImport, mapping: dict[str, int], duplicate_mode: str) -> LeadImport:
    if "full_name" not in mapping:
        raise ValidationError(_("Choose the column that holds the name."), code="name_required")
    if "phone" not in mapping and "email" not in mapping:
        raise ValidationError(_("Choose the column with the phone number or the email."), code="contact_required")
    if len(set(mapping.values())) != len(mapping):
        raise ValidationError(_("A column can fill only one field."), code="column_twice")
    if any(not 0 <= index < len(lead_import.headers) for index in mapping.values()):
        raise ValidationError(_("That column is not in the file."), code="bad_column")
    lead_import.mapping = mapping
    lead_import.duplicate_mode = duplicate_mode
    lead_import.status = ImportStatus.PREVIEWED
    lead_import.save(update_fields=["mapping", "duplicate_mode", "status", "updated_at"])
    return lead_import


@transaction.atomic
def import_commit(*, actor, lead_import: LeadImport) -> dict:
    """Create the leads of a checked file, all or nothing. Any row with an error refuses the whole
    import, saying which rows and why; the database is untouched."""
    roles.require(actor, roles.CRM_WORK)
    lead_import = LeadImport.objects.select_for_update().get(pk=lead_import.pk)
    if lead_import.status == ImportStatus.COMMITTED:
        return lead_import.result
    result = preview(lead_import)
    if result.invalid:
        raise ValidationError(
            ngettext("Nothing was imported: %(count)d row has errors. Fix it in the file and upload it again.",
                     "Nothing was imported: %(count)d rows have errors. Fix them in the file and upload it again.",
                     result.invalid) % {"count": result.invalid}, code="rows_have_errors")
    rules = current_rules()
    owners = _round_robin_owners(actor)
    now = timezone.now()
    to_create, merged, skipped = [], 0, 0
    merge_targets = {row.duplicate_of for row in result.rows if row.duplicate_of and not row.duplicate_of.startswith("row")}
    existing = {str(lead.pk): lead for lead in Lead.objects.filter(pk__in=merge_targets)} if \
        lead_import.duplicate_mode == DuplicateMode.MERGE else {}
    merged_leads = []
    referrals = []  # (lead id, code) for the affiliate programme, announced after commit
    for row in result.rows:
        if row.duplicate_of and lead_import.duplicate_mode == DuplicateMode.SKIP:
            skipped += 1
            continue
        if row.duplicate_of and lead_import.duplicate_mode == DuplicateMode.MERGE:
            target = existing.get(row.duplicate_of)
            if target is None:  # a repeat inside the file: its first row is being created or merged
                skipped += 1
                continue
            for name, value in row.values.items():
                if value and not getattr(target, name):
                    setattr(target, name, value)
            if row.values.get("referral_code"):
                referrals.append((target.pk, row.values["referral_code"]))
            merged_leads.append(target)
            merged += 1
            continue
        lead = Lead(source=LeadSource.IMPORT, status=LeadStatus.NEW, **{
            name: value for name, value in row.values.items() if name in IMPORT_FIELDS})
        score = score_lead(employees=lead.employees, sector=lead.sector, engagement_signals=[], budget_signals=[],
                           timing="", rules=rules)
        lead.score, lead.score_breakdown = score.total, score.breakdown
        lead.assigned_to = owners(lead.sector)
        lead.search_text = lead.build_search_text()
        to_create.append(lead)
        if lead.referral_code:
            referrals.append((lead.pk, lead.referral_code))
    # COPY rather than INSERT: a 100,000-row file is written in seconds, with every constraint checked.
    copy_rows(Lead, LEAD_COPY_COLUMNS, (
        (lead.pk, now, now, lead.search_text, lead.assigned_to.pk if lead.assigned_to else None, lead.source,
         lead.status, lead.score, lead.score_breakdown, lead.full_name, lead.phone, lead.email, lead.company_name,
         lead.sector, lead.city, lead.notes, lead.employees, lead.referral_code) for lead in to_create))
    if merged_leads:
        for lead in merged_leads:
            lead.search_text = lead.build_search_text()
        Lead.objects.bulk_update(merged_leads, [*IMPORT_FIELDS, "search_text"], batch_size=2000)
    ip = current_ip.get()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    copy_rows(AuditLog, AUDIT_COPY_COLUMNS, [
        (uuid.uuid4(), now, now, actor_id, AuditAction.CREATE, "crm.lead", lead.pk,
         {"import": [None, str(lead_import.pk)]}, ip) for lead in to_create
    ] + [
        (uuid.uuid4(), now, now, actor_id, AuditAction.UPDATE, "crm.lead", lead.pk,
         {"import_merge": [None, str(lead_import.pk)]}, ip) for lead in merged_leads
    ])
    summary = {"created": len(to_create), "merged": merged, "skipped": skipped}
    lead_import.status = ImportStatus.COMMITTED
    lead_import.result = summary
    lead_import.save(update_fields=["status", "result", "updated_at"])
    if referrals:
        import_id = lead_import.pk
        transaction.on_commit(lambda: leads_referred.send(sender=Lead, referrals=referrals, source="import", ip=ip,
                                                          import_id=import_id))
    return summary


def _round_robin_owners(actor):
    """Owner for each imported lead: an agent importing keeps the leads; otherwise round-robin among
    the sector's specialists, else among all active agents (RULES.md §1), without a query per row."""
    if getattr(actor, "role", None) == Role.AGENT:
        return lambda sector: actor
    agents = list(User.objects.filter(role=Role.AGENT, is_active=True).order_by("created_at", "id"))
    by_sector: dict[str, list] = {}
    for agent in agents:
        if agent.sector:
            by_sector.setdefault(agent.sector, []).append(agent)
    turns: dict[str, int] = {}

    def owner(sector: str):
        pool = by_sector.get(sector) or agents
        if not pool:
            return None
        key = sector if sector in by_sector else ""
        turn = turns.get(key, 0)
        turns[key] = turn + 1
        return pool[turn % len(pool)]

    return owner
