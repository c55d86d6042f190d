import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crm.choices import Sector
from dealix.core.tables import DealixTable
from dealix.core.templatetags.dealix import short_date
from dealix.tenancy.rules import current_rules

STATUS_COLOURS = {"new": "primary", "contacted": "info", "qualified": "success", "converted": "dark",
                  "lost": "secondary"}
SECTOR_LABELS = dict(Sector.choices)
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

    def render_full_name(self, record, value):
        return format_html('<a href="{}" class="fw-semibold">{}</a>', reverse("crm:lead_detail", args=[record.pk]),
                           value)

    def render_status(self, record):
        return format_html('<span class="badge text-bg-{}">{}</span>', STATUS_COLOURS.get(record.status, "secondary"),
                           record.get_status_display())

    def render_score(self, record):
        band = current_rules().band(record.score)
        return format_html('<span class="badge rounded-pill text-bg-{}" title="{}">{}</span>',
                           BAND_COLOURS[band], band, record.score)

    def render_sector(self, value):
        return SECTOR_LABELS.get(value, value)

    def render_source(self, record):
        return record.get_source_display()

    def render_created_at(self, value):
        return short_date(value)

    def render_updated_at(self, value):
        return short_date(value)
