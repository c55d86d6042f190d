"""Small display helpers of the CRM record pages."""
from django import template

from crm.choices import Sector

register = template.Library()
SECTOR_LABELS = dict(Sector.choices)


@register.filter
def duration(seconds) -> str:
    """A call's length as m:ss."""
    minutes, seconds = divmod(int(seconds or 0), 60)
    return f"{minutes}:{seconds:02d}"


@register.filter
def sector_label(value) -> str:
    """The translated name of a sector key; a sector typed by hand is shown as typed."""
    return SECTOR_LABELS.get(value, value)


@register.filter
def is_web_link(value) -> bool:
    """Only http(s) addresses become links (rows saved without validation may hold anything)."""
    return str(value or "").lower().startswith(("https://", "http://"))
