"""Message templates as text: which `{variables}` a template uses, whether it may be saved, and what it
says once filled in.

A template is plain text with `{name}` placeholders (spaces inside the braces are tolerated). Only the
names in `VARIABLES` are allowed, so a typo is caught when the template is saved, not when a message
fails at night. Values are inserted as plain text; whoever shows a message as HTML escapes it.

Channel limits checked here are the providers' (WhatsApp's 1,024 characters for a template body and its
rules on where a variable may stand; SMS segments), measured on the text filled in with `sample_context`
because that is what a recipient receives. The business numbers the standard texts quote (guarantee
days, reply times) are variables filled from the tenant's rules, never written into a text.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext, npgettext
from django.utils.translation import gettext_lazy as _

from crm.choices import TemplateType
from dealix.accounts.choices import Language
from dealix.tenancy.rules import rules_for

VARIABLES: dict[str, str] = {
    "contact_name": _("Contact's full name"),
    "first_name": _("Contact's first name"),
    "company_name": _("Contact's company"),
    "agent_name": _("Sender's name"),
    "agent_phone": _("Sender's phone"),
    "tenant_name": _("Your company's name"),
    "meeting_type": _("Meeting type"),
    "meeting_time": _("Meeting date and time"),
    "meeting_link": _("Meeting link"),
    "booking_link": _("Booking link"),
    "slots": _("Offered meeting times"),
    "proposal_title": _("Proposal title"),
    "proposal_link": _("Proposal link"),
    "referral_code": _("Referral code"),
    "referral_link": _("Referral link"),
    "affiliate_name": _("Affiliate's name"),
    "tier": _("Affiliate tier"),
    "reason": _("Reason"),
    "ticket_id": _("Complaint number"),
    "request_id": _("Privacy request number"),
    "channel_name": _("Channel name"),
    "employee_name": _("Employee's name"),
    "escalation_reason": _("Escalation reason"),
    # Filled from the tenant's rules (RULES.md), so a text never quotes a number the owner has changed.
    "guarantee_days": _("Guarantee period (days)"),
    "guarantee_min_leads": _("Guarantee: leads to enter"),
    "guarantee_min_messages": _("Guarantee: messages to send"),
    "guarantee_min_days": _("Guarantee: consecutive days of use"),
    "reapply_after_days": _("Days before a rejected affiliate may reapply"),
    "reply_within_hours": _("Hours within which a complaint is answered"),
    "request_fulfil_days": _("Days within which a privacy request is answered"),
    # The same numbers with their nouns, in the plural form the number takes ("7 أيام", "30 يومًا", "يومين"):
    # an Arabic noun written after a bare number reads right only for some numbers.
    "guarantee_period": _("Guarantee period (e.g. 30 days)"),
    "guarantee_min_leads_text": _("Guarantee: leads to enter (e.g. 20 leads)"),
    "guarantee_min_messages_text": _("Guarantee: messages to send (e.g. 50 messages)"),
    "guarantee_min_days_text": _("Guarantee: consecutive days of use (e.g. 14 consecutive days)"),
    "reapply_period": _("Wait before a rejected affiliate may reapply (e.g. 30 days)"),
    "reply_within": _("Time within which a complaint is answered (e.g. 24 hours)"),
    "request_fulfil_period": _("Time within which a privacy request is answered (e.g. 30 days)"),
}

WHATSAPP_BODY_MAX = 1024          # Meta's limit for a template body
SMS_MAX_SEGMENTS = 6              # longer texts arrive out of order or not at all on some handsets
SMS_CHANNEL_TYPES = (TemplateType.SMS,)

# A placeholder is anything between single braces on one line; its name is checked separately so a
# misspelt name is reported as unknown rather than as malformed.
_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
_WHATSAPP_NUMBERED = re.compile(r"\{\{\s*\d+\s*\}\}")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
# Bare domains count too: phones make "example.sa/x" tappable just like a full URL.
_LINK = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(com|sa|net|org|io|me|ly|co)(/\S*)?\b", re.IGNORECASE)
# What may stand between two placeholders without WhatsApp calling them adjacent.
_ONLY_SPACE_OR_PUNCTUATION = re.compile(r"^[\s\W_]*$")

# GSM 03.38: the basic set costs one septet, the extension set two; anything else forces UCS-2.
_GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    params: list[str] = field(default_factory=list)


# --- reading placeholders ---------------------------------------------------------------------------

def variables_in(text: str) -> list[str]:
    """The `{name}` placeholders of `text`, each once, in order of first appearance."""
    seen: list[str] = []
    for match in _PLACEHOLDER.finditer(text or ""):
        name = match.group(1).strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def _brace_problems(text: str) -> list[str]:
    problems = []
    if _WHATSAPP_NUMBERED.search(text):
        problems.append(gettext("Write variables by name, such as {contact_name}, not as WhatsApp's {{1}}."))
        text = _WHATSAPP_NUMBERED.sub("", text)
    if any(not match.group(1).strip() for match in _PLACEHOLDER.finditer(text)):
        problems.append(gettext("Empty braces {} are not a variable: write the variable's name inside them."))
    leftover = _PLACEHOLDER.sub("", text)
    if "{" in leftover:
        problems.append(gettext("A “{” is never closed: write variables as {contact_name}."))
    if "}" in leftover:
        problems.append(gettext("A “}” has no opening “{”: write variables as {contact_name}."))
    return problems


def _unknown(text: str) -> list[str]:
    return [name for name in variables_in(text) if name not in VARIABLES]


def _unknown_message(names: list[str]) -> str:
    return gettext("Unknown variable: %(names)s. Use one of the variables listed beside the editor.") % {
        "names": ", ".join(f"{{{name}}}" for name in names)}


# --- measuring ----------------------------------------------------------------------------------------

def is_gsm(text: str) -> bool:
    return all(char in _GSM_BASIC or char in _GSM_EXTENDED for char in text)


def sms_segments(text: str) -> int:
    """How many SMS parts `text` is sent as: 160 GSM septets (153 per part when split) or, as soon as
    one character is outside GSM (any Arabic letter), 70 UCS-2 units (67 per part)."""
    if not text:
        return 0
    if is_gsm(text):
        units, single, part = sum(2 if char in _GSM_EXTENDED else 1 for char in text), 160, 153
    else:
        units, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


def has_link(text: str) -> bool:
    return bool(_LINK.search(text or ""))


def guess_language(text: str) -> str:
    return Language.ARABIC if _ARABIC.search(text or "") else Language.ENGLISH


# --- validating ---------------------------------------------------------------------------------------

def validate_template(*, type: str, subject: str, body: str, language: str | None = None) -> None:
    """Raise a ValidationError keyed by "subject"/"body" for everything that would make the template
    unusable on its channel. `language` chooses the sample values the lengths are measured with (by
    default guessed from the text)."""
    errors: dict[str, list[str]] = {}
    body, subject = body or "", subject or ""
    if not body.strip():
        errors.setdefault("body", []).append(gettext("Write the message text."))
    if type == TemplateType.EMAIL and not subject.strip():
        errors.setdefault("subject", []).append(gettext("An email template needs a subject."))
    for name, text in (("subject", subject), ("body", body)):
        problems = _brace_problems(text)
        unknown = _unknown(text)
        if unknown:
            problems.append(_unknown_message(unknown))
        if problems:
            errors.setdefault(name, []).extend(problems)
    if "body" not in errors:
        errors.update(_channel_problems(type, body, language or guess_language(subject + body)))
    if errors:
        raise ValidationError(errors)


def _channel_problems(type: str, body: str, language: str) -> dict[str, list[str]]:
    problems: list[str] = []
    filled = _fill(body, sample_context(language), keep_missing=True)
    if type == TemplateType.WHATSAPP:
        if len(filled) > WHATSAPP_BODY_MAX:
            problems.append(gettext("A WhatsApp template may have at most %(max)s characters; with sample values "
                                    "this one has %(count)s.") % {"max": WHATSAPP_BODY_MAX, "count": len(filled)})
        problems.extend(_whatsapp_placement_problems(body))
    elif type in SMS_CHANNEL_TYPES:
        segments = sms_segments(filled)
        if segments > SMS_MAX_SEGMENTS:
            problems.append(gettext("This SMS would be sent as %(count)s parts with sample values; keep it to "
                                    "%(max)s.") % {"count": segments, "max": SMS_MAX_SEGMENTS})
    return {"body": problems} if problems else {}


def _whatsapp_placement_problems(body: str) -> list[str]:
    """WhatsApp refuses a template that starts or ends with a variable or puts two side by side."""
    problems = []
    matches = list(_PLACEHOLDER.finditer(body))
    if not matches:
        return problems
    if _ONLY_SPACE_OR_PUNCTUATION.match(body[:matches[0].start()]):
        problems.append(gettext("WhatsApp does not accept a template that starts with a variable: "
                                "put some words before it."))
    if _ONLY_SPACE_OR_PUNCTUATION.match(body[matches[-1].end():]):
        problems.append(gettext("WhatsApp does not accept a template that ends with a variable: "
                                "put some words after it."))
    for before, after in pairwise(matches):
        if _ONLY_SPACE_OR_PUNCTUATION.match(body[before.end():after.start()]):
            problems.append(gettext("WhatsApp does not accept two variables side by side (%(first)s and "
                                    "%(second)s): put words between them.") % {
                "first": before.group(0), "second": after.group(0)})
            break
    return problems


# --- rendering ------------------------------------------------------------------------------------------

def _value(value, *, one_line: bool) -> str:
    text = "" if value is None else str(value).strip()
    if one_line:
        # WhatsApp refuses a template parameter with a line break, a tab or a run of spaces.
        text = re.sub(r"\s*\n\s*", " · ", text)
        text = re.sub(r"[\t ]{2,}", " ", text.replace("\t", " "))
    return text


def _fill(text: str, values: dict, *, keep_missing: bool = False, one_line: bool = False) -> str:
    text = text or ""

    def replace(match):
        name = match.group(1).strip()
        value = _value(values.get(name), one_line=one_line)
        # "Gulf Trading Co." at the end of a sentence must not read "Gulf Trading Co.."
        if value.endswith(".") and text[match.end():match.end() + 1] == ".":
            value = value[:-1]
        return value if value or not keep_missing else match.group(0)
    return _PLACEHOLDER.sub(replace, text)


def _with_phrases(template, context: dict) -> dict:
    """The context with the rule phrases the template uses, written in the template's own language."""
    if not PHRASES & set(variables_in(template.subject or "") + variables_in(template.body or "")):
        return context
    rules = context.get(RULES_KEY) or rules_for(getattr(connection, "tenant", None))
    return {**context, **rule_phrases(rules, getattr(template, "language", "") or Language.ARABIC)}


def missing_variables(template, context: dict) -> list[str]:
    context = _with_phrases(template, context)
    used = variables_in(template.subject or "") + variables_in(template.body or "")
    return [name for name in dict.fromkeys(used) if not _value(context.get(name), one_line=False)]


def render(template, context: dict) -> Rendered:
    """The template filled in with `context`. `params` are the body's values in order of first
    appearance, which is how an approved WhatsApp template numbers its parameters ({{1}}, {{2}}, …)."""
    context = _with_phrases(template, context)
    missing = missing_variables(template, context)
    if missing:
        raise ValidationError(
            gettext("The template “%(template)s” needs a value for %(names)s.") % {
                "template": getattr(template, "name", "") or getattr(template, "key", ""),
                "names": ", ".join(f"{{{name}}}" for name in missing)},
            code="missing_variable", params={"names": missing})
    one_line = getattr(template, "type", "") == TemplateType.WHATSAPP
    return Rendered(
        subject=_fill(template.subject, context, one_line=True),
        body=_fill(template.body, context, one_line=one_line),
        params=[_value(context.get(name), one_line=one_line) for name in variables_in(template.body)],
    )


def preview(*, type: str, subject: str, body: str, language: str) -> dict:
    """What the editor's live preview shows: the text filled with sample values (an unknown or empty
    placeholder left as typed), its problems, and its length on the channel."""
    values = sample_context(language)
    one_line = type == TemplateType.WHATSAPP
    filled_body = _fill(body, values, keep_missing=True, one_line=one_line)
    try:
        validate_template(type=type, subject=subject, body=body, language=language)
        problems = {}
    except ValidationError as error:
        problems = error.message_dict
    return {
        "subject": _fill(subject, values, keep_missing=True, one_line=True),
        "body": filled_body,
        "errors": [message for messages in problems.values() for message in messages],
        "length": len(filled_body),
        "sms_segments": sms_segments(filled_body) if type in SMS_CHANNEL_TYPES else None,
        "max_length": WHATSAPP_BODY_MAX if type == TemplateType.WHATSAPP else None,
        "is_rtl": language == Language.ARABIC,
    }


# --- context ------------------------------------------------------------------------------------------

RULES_KEY = "_rules"  # a context's tenant rules, for the phrases below (not a variable: no template names it)
PHRASES = {"guarantee_period", "guarantee_min_leads_text", "guarantee_min_messages_text", "guarantee_min_days_text",
           "reapply_period", "reply_within", "request_fulfil_period"}


def rule_phrases(rules, language: str) -> dict:
    """The rules' numbers written with their nouns in `language`, each in the form its number takes (Arabic
    has six): the `*_period`/`*_text` variables. Written for use after a preposition ("within …")."""
    with translation.override(language):
        def days(count):
            return npgettext("rule period", "%(count)s day", "%(count)s days", count) % {"count": count}
        return {
            "guarantee_period": days(rules.guarantee_days),
            "guarantee_min_leads_text": npgettext("rule count", "%(count)s lead", "%(count)s leads",
                                                  rules.guarantee_min_leads) % {"count": rules.guarantee_min_leads},
            "guarantee_min_messages_text": npgettext(
                "rule count", "%(count)s message", "%(count)s messages",
                rules.guarantee_min_messages) % {"count": rules.guarantee_min_messages},
            "guarantee_min_days_text": npgettext(
                "rule period", "%(count)s consecutive day", "%(count)s consecutive days",
                rules.guarantee_min_consecutive_days) % {"count": rules.guarantee_min_consecutive_days},
            "reapply_period": days(rules.reapply_after_days),
            "reply_within": npgettext("rule period", "%(count)s hour", "%(count)s hours",
                                      rules.complaint_ack_hours) % {"count": rules.complaint_ack_hours},
            "request_fulfil_period": days(rules.dsr_fulfil_days),
        }


def _first_word(name: str) -> str:
    return (name or "").split()[0] if (name or "").split() else ""


def context_for(*, contact=None, lead=None, sender=None, tenant=None, extra: dict | None = None,
                language: str | None = None) -> dict:
    """The standard values a template may use, from the records at hand; `extra` (meeting, proposal,
    affiliate, ticket …) is laid over them. Empty values are left out, so `render` names what is missing
    instead of sending a hole."""
    tenant = tenant if tenant is not None else getattr(connection, "tenant", None)
    language = language or getattr(contact, "language", None) or getattr(lead, "language", None) or Language.ARABIC
    rules = rules_for(tenant)
    values = {
        "tenant_name": getattr(tenant, "name", ""),
        "guarantee_days": rules.guarantee_days,
        "guarantee_min_leads": rules.guarantee_min_leads,
        "guarantee_min_messages": rules.guarantee_min_messages,
        "guarantee_min_days": rules.guarantee_min_consecutive_days,
        "reapply_after_days": rules.reapply_after_days,
        "reply_within_hours": rules.complaint_ack_hours,
        "request_fulfil_days": rules.dsr_fulfil_days,
        RULES_KEY: rules,  # the phrases are written by `render`, in the language of the template it fills
    }
    if lead is not None:
        values.update(contact_name=lead.full_name, company_name=lead.company_name)
        sender = sender or lead.assigned_to
    if contact is not None:
        values["contact_name"] = contact.full_name
        company = contact.company if contact.company_id else None
        if company is not None:
            values["company_name"] = (company.name_ar if language == Language.ARABIC and company.name_ar
                                      else company.name)
        sender = sender or contact.owner
    if sender is not None:
        values.update(agent_name=sender.full_name, agent_phone=sender.phone)
    values["first_name"] = _first_word(values.get("contact_name", ""))
    values.update(extra or {})
    return {name: value for name, value in values.items() if value not in (None, "")}


SAMPLES = {
    Language.ARABIC: {
        "contact_name": "نورة القحطاني", "first_name": "نورة", "company_name": "عيادات الصفوة الطبية",
        "agent_name": "خالد العتيبي", "agent_phone": "+966501234567", "tenant_name": "شركة الرواد للتقنية",
        "meeting_type": "عرض توضيحي", "meeting_time": "الأحد 14 ديسمبر 2025، 10:30 صباحًا",
        "meeting_link": "https://meet.example.sa/dealix-demo", "booking_link": "https://book.example.sa/khalid",
        "slots": "الاثنين 10:00 صباحًا\nالثلاثاء 1:30 ظهرًا\nالأربعاء 11:00 صباحًا",
        "proposal_title": "باقة النمو السنوية", "proposal_link": "https://example.sa/p/7Q2K9",
        "referral_code": "RAWAD25", "referral_link": "https://example.sa/?ref=RAWAD25",
        "affiliate_name": "فيصل الدوسري", "tier": "ذهبي", "reason": "اكتمال العدد المطلوب من الشركاء في منطقتكم حاليًا",
        "ticket_id": "C-10482", "request_id": "DSR-2291", "channel_name": "واتساب",
        "employee_name": "سارة الشهري", "escalation_reason": "تأخر متكرر في الرد على العملاء",
    },
    Language.ENGLISH: {
        "contact_name": "Noura Al-Qahtani", "first_name": "Noura", "company_name": "Safwa Medical Clinics",
        "agent_name": "Khalid Al-Otaibi", "agent_phone": "+966501234567", "tenant_name": "Pioneers Tech Co.",
        "meeting_type": "Demo", "meeting_time": "Sunday 14 December 2025, 10:30 AM",
        "meeting_link": "https://meet.example.sa/dealix-demo", "booking_link": "https://book.example.sa/khalid",
        "slots": "Monday 10:00 AM\nTuesday 1:30 PM\nWednesday 11:00 AM",
        "proposal_title": "Annual Growth Package", "proposal_link": "https://example.sa/p/7Q2K9",
        "referral_code": "RAWAD25", "referral_link": "https://example.sa/?ref=RAWAD25",
        "affiliate_name": "Faisal Al-Dosari", "tier": "Gold", "reason": "we already have enough partners in your region",
        "ticket_id": "C-10482", "request_id": "DSR-2291", "channel_name": "WhatsApp",
        "employee_name": "Sarah Al-Shehri", "escalation_reason": "repeated late replies to customers",
    },
}


def sample_context(language: str) -> dict:
    """Realistic values for previews and checks, in Arabic or English, with the tenant's rule numbers."""
    rules = rules_for(getattr(connection, "tenant", None))
    samples = dict(SAMPLES[Language.ARABIC if language == Language.ARABIC else Language.ENGLISH])
    samples.update(guarantee_days=rules.guarantee_days, guarantee_min_leads=rules.guarantee_min_leads,
                   guarantee_min_messages=rules.guarantee_min_messages,
                   guarantee_min_days=rules.guarantee_min_consecutive_days,
                   reapply_after_days=rules.reapply_after_days, reply_within_hours=rules.complaint_ack_hours,
                   request_fulfil_days=rules.dsr_fulfil_days, **rule_phrases(rules, language))
    return samples


# --- reading templates -----------------------------------------------------------------------------------

def standard_template(key: str, type: str, language: str):
    """The tenant's active template `key` for that channel type, in `language` if it has one, else in the
    other language; None when neither is active."""
    from crm.models import Template
    candidates = list(Template.objects.filter(key=key, type=type, is_active=True))
    for wanted in (language, *[code for code, _label in Language.choices if code != language]):
        for template in candidates:
            if template.language == wanted:
                return template
    return None


def template_list(*, user, type: str = "", language: str = "", active: bool | None = True):
    """The templates a user may read, filtered as the list page asks."""
    from crm.models import Template
    templates = Template.objects.visible_to(user)
    if type:
        templates = templates.filter(type=type)
    if language:
        templates = templates.filter(language=language)
    if active is not None:
        templates = templates.filter(is_active=active)
    return templates.order_by("type", "name", "language", "id")
