"""Months as the programme counts them (commissions, payouts, performance, disputes): in the tenant's
time zone, a month named by its first day."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dealix.tenancy.rules import current_rules


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_rules().time_zone)


def month_start(value: dt.date | dt.datetime | str | None = None) -> dt.date:
    """The first day of the month `value` falls in: a date, a datetime (read in the tenant's time zone),
    "YYYY-MM" or "YYYY-MM-DD"; the current month when None."""
    if value is None:
        value = timezone.now()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value if len(value) > 7 else f"{value}-01")
        except ValueError as error:
            raise ValidationError(_("Give the month as YYYY-MM."), code="invalid_period") from error
    if isinstance(value, dt.datetime):
        value = value.astimezone(local_zone()).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def add_months(period: dt.date, months: int) -> dt.date:
    year, index = divmod(period.year * 12 + period.month - 1 + months, 12)
    return dt.date(year, index + 1, 1)


def next_month(period: dt.date) -> dt.date:
    return add_months(period.replace(day=1), 1)


def month_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as [start, end) instants in the tenant's time zone."""
    zone = local_zone()
    start = dt.datetime.combine(period, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(add_months(period, 1), dt.time.min, tzinfo=zone)
