"""The lead page's Meetings card computes what it shows itself, so the page includes it with one line."""
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def lead_meetings_card(context, lead):
    from crm.views_bookings import card_context
    return card_context(context["request"], lead)
