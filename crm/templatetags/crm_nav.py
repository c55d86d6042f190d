"""The CRM's section tabs, written in one pass: the template version (13 links, each with two
conditions and a {% url %}) cost a list page about as much as its filter panel."""
import html

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy as _

register = template.Library()

# (label, URL name, is this tab's section the page's?) in the order they are shown
SECTIONS = [
    (_("Leads"), "crm:lead_list", lambda name, section: name.startswith("lead_")),
    (_("Pipeline"), "crm:pipeline", lambda name, section: name == "pipeline"),
    (_("Deals"), "crm:deal_list", lambda name, section: section == "deal"),
    (_("Contacts"), "crm:contact_list", lambda name, section: section == "contact"),
    (_("Companies"), "crm:company_list", lambda name, section: section == "company"),
    (_("Customers"), "crm:customer_list", lambda name, section: section == "customer"),
    (_("Prospects"), "crm:prospect_list", lambda name, section: section == "prospect"),
    (_("Activities"), "crm:activity_list", lambda name, section: section == "activity"),
    (_("Calls"), "crm:call_list", lambda name, section: section == "call"),
    (_("Messages"), "crm:message_list", lambda name, section: section == "message"),
    (_("Meetings"), "crm:meeting_list", lambda name, section: section == "meeting"),
    (_("Templates"), "crm:template_list", lambda name, section: name.startswith("template_")),
    (_("Duplicates"), "crm:duplicates", lambda name, section: section == "duplicates"),
]


@register.simple_tag(takes_context=True)
def crm_subnav(context):
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = (match.url_name if match else "") or ""
    section = name.replace("_list", "").replace("_detail", "").replace("_create", "")
    items = []
    for label, url_name, is_current in SECTIONS:
        state = ' active" aria-current="page' if is_current(name, section) else ""
        items.append(f'<li class="nav-item"><a class="nav-link{state}" href="{html.escape(reverse(url_name))}">'
                     f'{html.escape(str(label))}</a></li>')
    # One tab per CRM section; at phone width the row scrolls sideways instead of wrapping.
    return mark_safe('<ul class="nav nav-underline mb-3 flex-nowrap overflow-x-auto overflow-y-hidden text-nowrap"'
                     f' aria-label="{html.escape(gettext("CRM sections"))}" data-testid="crm-subnav">'
                     f'{"".join(items)}</ul>')
