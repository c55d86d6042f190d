"""Periodic jobs of the affiliate programme (scheduled in dealix.core.schedule). Each runs inside one
tenant's schema and is idempotent: running it twice has the effect of running it once."""
from __future__ import annotations

import datetime

from django.utils import timezone

from affiliates import performance


def _now(now_iso: str | None) -> datetime.datetime:
    return datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()


def monthly_performance(now_iso: str | None = None) -> int:
    """Each affiliate's figures for the month that has just ended (on the 1st)."""
    return performance.compute_performance(performance.add_months(performance.month_of(_now(now_iso)), -1))


def weekly_reports(now_iso: str | None = None) -> int:
    """The weekly report email to every affiliate in the programme, once a week."""
    return performance.send_weekly_reports(now_iso)


def hiring_check(now_iso: str | None = None) -> int:
    """Flag the affiliates eligible for hiring and tell the reviewers (never more than the flag)."""
    return performance.hiring_check(_now(now_iso))
