import html

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from crm.choices import LeadSource, LeadStatus, Sector
from crm.templatetags.crm_records import duration, is_web_link
from dealix.core.tables import DealixTable, record_url
from dealix.core.templatetags.dealix import sar

STATUS_COLOURS = {"new": "primary", "contacted": "info", "qualified": "success", "converted": "dark",
                  "lost": "secondary"}
BAND_COLOURS = {"hot": "danger", "warm": "warning", "cold": "secondary"}


class LeadTable(DealixTable):
    OPTIONAL_HIDDEN = ("email", "source", "updated_at")

    full_name = tables.Column(verbose_name=_("Name"))
    company_name = tables.Column(verbose_name=_("Company"))
    phone = tables.Column(verbose_name=_("Phone"), attrs={"td": {"class": "ltr-value"}})
    email = tables.Column(verbose_name=_("Email"), attrs={"td": {"class": "ltr-value"}})
    status = tables.Column(verbose_name=_("Status"))
    score = tables.Column(verbose_name=_("Score"))
    assigned_to = tables.Column(verbose_name=_("Owner"), accessor="assigned_to__full_name", default="—")
    sector = tables.Column(verbose_name=_("Sector"))
    city = tables.Column(verbose_name=_("City"))
    source = tables.Column(verbose_name=_("Source"))
    created_at = tables.Column(verbose_name=_("Created"))
    updated_at = tables.Column(verbose_name=_("Updated"))

    class Meta(DealixTable.Meta):
        sequence = ("select", "full_name", "company_name", "phone", "email", "status", "score", "assigned_to",
                    "sector", "city", "source", "created_at", "updated_at")

    # Written as plain f-strings: these run for every row of the busiest page of the product.
    def render_full_name(self, record, value):
        return SafeString(f'<a href="{self.url_for("crm:lead_detail", record.pk)}" class="fw-semibold">'
                         f'{html.escape(value)}</a>')

    def render_status(self, record):
        label = self.labels(LeadStatus).get(record.status, record.status)
        return SafeString(f'<span class="badge text-bg-{STATUS_COLOURS.get(record.status, "secondary")}">'
                         f'{html.escape(label)}</span>')

    def render_score(self, record):
        band = self.rules.band(record.score)
        return SafeString(f'<span class="badge rounded-pill text-bg-{BAND_COLOURS[band]}" title="{band}">'
                         f'{int(record.score)}</span>')

    def render_sector(self, value):
        return self.labels(Sector).get(value, value)

    def render_source(self, record):
        return self.labels(LeadSource).get(record.source, record.source)

    def render_created_at(self, value):
        return self.short_date(value)

    def render_updated_at(self, value):
        return self.short_date(value)


# --- the other CRM lists -------------------------------------------------------------------------

STAGE_COLOURS = {"discovery": "info", "proposal": "primary", "negotiation": "warning", "closed_won": "success",
                 "closed_lost": "secondary"}
PROSPECT_COLOURS = {"identified": "secondary", "researching": "info", "approaching": "primary",
                    "engaged": "success", "disqualified": "dark"}
PRIORITY_COLOURS = {"low": "secondary", "medium": "info", "high": "warning", "critical": "danger"}
CONSENT_COLOURS = {"granted": "success", "revoked": "danger", "pending": "secondary"}
CALL_COLOURS = {"answered": "success", "missed": "danger", "voicemail": "warning", "failed": "dark",
                "ringing": "info"}
LTR = {"td": {"class": "ltr-value"}}


def link(url_name: str, pk, text):
    return format_html('<a href="{}" class="fw-semibold">{}</a>', record_url(url_name, pk), text)


def badge(colour: str, text):
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, text)


def money(value):
    return format_html('<span class="ltr-value text-nowrap">{}</span>', sar(value)) if value is not None else "—"


class RecordTable(DealixTable):
    """A list without bulk actions: no selection boxes."""

    class Meta(DealixTable.Meta):
        exclude = ("select",)

    def render_created_at(self, value):
        return self.short_date(value)

    def render_updated_at(self, value):
        return self.short_date(value)

    def render_sector(self, value):
        return self.labels(Sector).get(value, value)


class ProspectTable(RecordTable):
    OPTIONAL_HIDDEN = ("source", "updated_at")

    company = tables.Column(verbose_name=_("Company"), accessor="company__name", default="—")
    contact = tables.Column(verbose_name=_("Contact"), accessor="contact__full_name", default="—")
    status = tables.Column(verbose_name=_("Status"))
    priority = tables.Column(verbose_name=_("Priority"))
    sector = tables.Column(verbose_name=_("Sector"))
    estimated_value = tables.Column(verbose_name=_("Estimated value"))
    owner = tables.Column(verbose_name=_("Owner"), accessor="owner__full_name", default="—")
    source = tables.Column(verbose_name=_("Source"))
    created_at = tables.Column(verbose_name=_("Created"))
    updated_at = tables.Column(verbose_name=_("Updated"))

    class Meta(RecordTable.Meta):
        sequence = ("company", "contact", "status", "priority", "sector", "estimated_value", "owner", "source",
                    "created_at", "updated_at")

    def render_company(self, record):
        return link("crm:prospect_detail", record.pk, str(record))

    def render_status(self, record):
        return badge(PROSPECT_COLOURS.get(record.status, "secondary"), record.get_status_display())

    def render_priority(self, record):
        return badge(PRIORITY_COLOURS.get(record.priority, "secondary"), record.get_priority_display())

    def render_estimated_value(self, value):
        return money(value)


class DealTable(RecordTable):
    OPTIONAL_HIDDEN = ("contact", "updated_at")

    title = tables.Column(verbose_name=_("Title"))
    company = tables.Column(verbose_name=_("Company"), accessor="company__name", default="—")
    contact = tables.Column(verbose_name=_("Contact"), accessor="contact__full_name", default="—")
    stage = tables.Column(verbose_name=_("Stage"))
    value = tables.Column(verbose_name=_("Value"))
    probability = tables.Column(verbose_name=_("Probability"))
    assigned_to = tables.Column(verbose_name=_("Owner"), accessor="assigned_to__full_name", default="—")
    expected_close = tables.Column(verbose_name=_("Expected close"), default="—")
    created_at = tables.Column(verbose_name=_("Created"))
    updated_at = tables.Column(verbose_name=_("Updated"))

    class Meta(RecordTable.Meta):
        sequence = ("title", "company", "contact", "stage", "value", "probability", "assigned_to", "expected_close",
                    "created_at", "updated_at")

    def render_title(self, record, value):
        return link("crm:deal_detail", record.pk, value)

    def render_stage(self, record):
        return badge(STAGE_COLOURS.get(record.stage, "secondary"), record.get_stage_display())

    def render_value(self, value):
        return money(value)

    def render_probability(self, value):
        return format_html('<span class="ltr-value">{}%</span>', value)

    def render_expected_close(self, value):
        return self.short_date(value)


class ContactTable(RecordTable):
    OPTIONAL_HIDDEN = ("whatsapp", "language", "updated_at")

    full_name = tables.Column(verbose_name=_("Name"))
    company = tables.Column(verbose_name=_("Company"), accessor="company__name", default="—")
    job_title = tables.Column(verbose_name=_("Job title"))
    phone = tables.Column(verbose_name=_("Phone"), attrs=LTR)
    whatsapp = tables.Column(verbose_name=_("WhatsApp"), attrs=LTR)
    email = tables.Column(verbose_name=_("Email"), attrs=LTR)
    consent_status = tables.Column(verbose_name=_("Consent"))
    owner = tables.Column(verbose_name=_("Owner"), accessor="owner__full_name", default="—")
    language = tables.Column(verbose_name=_("Language"))
    created_at = tables.Column(verbose_name=_("Created"))
    updated_at = tables.Column(verbose_name=_("Updated"))

    class Meta(RecordTable.Meta):
        sequence = ("full_name", "company", "job_title", "phone", "whatsapp", "email", "consent_status", "owner",
                    "language", "created_at", "updated_at")

    def render_full_name(self, record, value):
        return link("crm:contact_detail", record.pk, value)

    def render_consent_status(self, record):
        return badge(CONSENT_COLOURS.get(record.consent_status, "secondary"), record.get_consent_status_display())

    def render_language(self, record):
        return record.get_language_display()


class CompanyTable(RecordTable):
    OPTIONAL_HIDDEN = ("name_ar", "region", "cr_number", "website", "updated_at")

    name = tables.Column(verbose_name=_("Name"))
    name_ar = tables.Column(verbose_name=_("Arabic name"))
    sector = tables.Column(verbose_name=_("Sector"))
    size = tables.Column(verbose_name=_("Size"))
    city = tables.Column(verbose_name=_("City"))
    region = tables.Column(verbose_name=_("Region"))
    cr_number = tables.Column(verbose_name=_("Commercial registration"), attrs=LTR)
    website = tables.Column(verbose_name=_("Website"), attrs=LTR)
    is_active = tables.Column(verbose_name=_("Active"))
    created_at = tables.Column(verbose_name=_("Created"))
    updated_at = tables.Column(verbose_name=_("Updated"))

    class Meta(RecordTable.Meta):
        sequence = ("name", "name_ar", "sector", "size", "city", "region", "cr_number", "website", "is_active",
                    "created_at", "updated_at")

    def render_name(self, record, value):
        return link("crm:company_detail", record.pk, value)

    def render_size(self, record):
        return record.get_size_display()

    def render_is_active(self, value):
        return badge("success", _("Active")) if value else badge("secondary", _("Inactive"))


class CustomerTable(RecordTable):
    OPTIONAL_HIDDEN = ("email", "updated_at")

    full_name = tables.Column(verbose_name=_("Name"))
    company_name = tables.Column(verbose_name=_("Company"))
    phone = tables.Column(verbose_name=_("Phone"), attrs=LTR)
    email = tables.Column(verbose_name=_("Email"), attrs=LTR)
    lifetime_value = tables.Column(verbose_name=_("Lifetime value"))
    deal = tables.Column(verbose_name=_("Deal"), accessor="deal__title", default="—")
    owner = tables.Column(verbose_name=_("Owner"), accessor="deal__assigned_to__full_name", default="—")
    activated_at = tables.Column(verbose_name=_("Activated"), default="—")
    created_at = tables.Column(verbose_name=_("Created"))
    updated_at = tables.Column(verbose_name=_("Updated"))

    class Meta(RecordTable.Meta):
        sequence = ("full_name", "company_name", "phone", "email", "lifetime_value", "deal", "owner", "activated_at",
                    "created_at", "updated_at")

    def render_full_name(self, record, value):
        return link("crm:customer_detail", record.pk, value)

    def render_lifetime_value(self, value):
        return money(value)

    def render_deal(self, record, value):
        return format_html('<a href="{}">{}</a>', self.url_for("crm:deal_detail", record.deal_id), value)

    def render_activated_at(self, value):
        return self.short_date(value)


class ActivityTable(RecordTable):
    OPTIONAL_HIDDEN = ("completed_at", "updated_at")

    subject = tables.Column(verbose_name=_("Subject"))
    type = tables.Column(verbose_name=_("Type"))
    about = tables.Column(verbose_name=_("About"), accessor="pk", empty_values=())
    user = tables.Column(verbose_name=_("Owner"), accessor="user__full_name", default="—")
    scheduled_at = tables.Column(verbose_name=_("Due"), default="—")
    completed_at = tables.Column(verbose_name=_("Done"), default="—")
    created_at = tables.Column(verbose_name=_("Created"))
    updated_at = tables.Column(verbose_name=_("Updated"))

    class Meta(RecordTable.Meta):
        sequence = ("subject", "type", "about", "user", "scheduled_at", "completed_at", "created_at", "updated_at")

    def render_type(self, record):
        return badge("light", record.get_type_display())

    def render_about(self, record):
        if record.deal_id:
            return format_html('<a href="{}">{}</a>', self.url_for("crm:deal_detail", record.deal_id),
                               record.deal.title)
        if record.lead_id:
            return format_html('<a href="{}">{}</a>', self.url_for("crm:lead_detail", record.lead_id),
                               record.lead.full_name)
        return "—"

    def render_scheduled_at(self, record, value):
        overdue = record.completed_at is None and value < timezone.now()
        date = self.short_date(value)
        return format_html('<span class="text-danger fw-semibold">{}</span>', date) if overdue else date

    def render_completed_at(self, value):
        return self.short_date(value)


class CallTable(RecordTable):
    OPTIONAL_HIDDEN = ("outcome", "recording", "updated_at")

    created_at = tables.Column(verbose_name=_("When"))
    person = tables.Column(verbose_name=_("With"), accessor="pk", empty_values=())
    direction = tables.Column(verbose_name=_("Direction"))
    status = tables.Column(verbose_name=_("Status"))
    duration_seconds = tables.Column(verbose_name=_("Duration"), attrs=LTR)
    user = tables.Column(verbose_name=_("Agent"), accessor="user__full_name", default="—")
    sentiment = tables.Column(verbose_name=_("Sentiment"))
    outcome = tables.Column(verbose_name=_("Outcome"))
    recording = tables.Column(verbose_name=_("Recording"), accessor="recording_url")
    updated_at = tables.Column(verbose_name=_("Updated"))

    class Meta(RecordTable.Meta):
        sequence = ("created_at", "person", "direction", "status", "duration_seconds", "user", "sentiment",
                    "outcome", "recording", "updated_at")

    def render_person(self, record):
        if record.contact_id:
            return format_html('<a href="{}" class="fw-semibold">{}</a>',
                               self.url_for("crm:contact_detail", record.contact_id), record.contact.full_name)
        if record.lead_id:
            return format_html('<a href="{}" class="fw-semibold">{}</a>',
                               self.url_for("crm:lead_detail", record.lead_id), record.lead.full_name)
        return "—"

    def render_direction(self, record):
        return record.get_direction_display()

    def render_status(self, record):
        return badge(CALL_COLOURS.get(record.status, "secondary"), record.get_status_display())

    def render_duration_seconds(self, value):
        return duration(value)

    def render_sentiment(self, record):
        return record.get_sentiment_display()

    def render_recording(self, value):
        if not is_web_link(value):
            return "—"  # rows written without full_clean() must not become javascript: links
        return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', value, _("Listen"))

    def render_created_at(self, value):
        return self.short_date(value)


class MessageTable(RecordTable):
    OPTIONAL_HIDDEN = ("purpose", "to_address", "updated_at")

    created_at = tables.Column(verbose_name=_("When"))
    person = tables.Column(verbose_name=_("With"), accessor="pk", empty_values=())
    channel = tables.Column(verbose_name=_("Channel"))
    direction = tables.Column(verbose_name=_("Direction"))
    status = tables.Column(verbose_name=_("Status"))
    reason_code = tables.Column(verbose_name=_("Reason"), default="—")
    content = tables.Column(verbose_name=_("Message"))
    purpose = tables.Column(verbose_name=_("Purpose"))
    to_address = tables.Column(verbose_name=_("To"), attrs=LTR)
    updated_at = tables.Column(verbose_name=_("Updated"))

    class Meta(RecordTable.Meta):
        sequence = ("created_at", "person", "channel", "direction", "status", "reason_code", "content", "purpose",
                    "to_address", "updated_at")

    def render_person(self, record):
        if record.lead_id:
            return format_html('<a href="{}#conversation" class="fw-semibold">{}</a>',
                               self.url_for("crm:lead_detail", record.lead_id), record.lead.full_name)
        if record.contact_id:
            return format_html('<a href="{}#conversation" class="fw-semibold">{}</a>',
                               self.url_for("crm:contact_detail", record.contact_id), record.contact.full_name)
        return "—"

    def render_reason_code(self, record):
        return record.get_reason_code_display() or "—"

    def render_content(self, value):
        return format_html('<span dir="auto">{}</span>', Truncator(value).chars(80))

    def render_status(self, record):
        label = record.get_status_display()
        if record.provider_message_id.startswith("outbox-"):
            return format_html('{} <span class="badge text-bg-light border">{}</span>', label, _("Outbox (not sent)"))
        return label
