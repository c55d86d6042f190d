"""The periodic jobs, in one list, and how they reach every tenant.

RQ's cron scheduler (`manage.py clock`) queues `fan_out(job)` on each job's schedule; `fan_out` runs on
a worker in the public schema and queues the job itself once per active tenant, in that tenant's schema
(dealix.core.jobs). So the scheduler stays one small process however many tenants there are, and the
work spreads over however many workers there are. Schedules are cron expressions in UTC: Riyadh is
UTC+3 all year (no daylight saving), so 08:00 Riyadh is 05:00 UTC.
"""
from __future__ import annotations

from dataclasses import dataclass

from django_tenants.utils import get_public_schema_name, schema_context

from dealix.core import jobs


@dataclass(frozen=True)
class Periodic:
    path: str
    cron: str
    why: str


PERIODIC_JOBS = (
    Periodic("crm.messaging.send_due_messages", "* * * * *", "deferred sends and retries whose time has come"),
    Periodic("crm.follow_ups.send_welcomes", "* * * * *", "a welcome to each new lead within minutes"),
    Periodic("crm.follow_ups.run_follow_ups", "*/5 * * * *", "follow-ups to leads that went quiet"),
    Periodic("crm.bookings.send_booking_reminders", "* * * * *", "meeting reminders 24 h / 1 h / 15 min before"),
    Periodic("crm.bookings.prompt_meeting_outcomes", "*/5 * * * *", "ask agents whether a started meeting was held"),
    Periodic("crm.jobs.remind_due_tasks", "*/5 * * * *", "tasks due soon or overdue"),
    # Hourly from 08:00 to 17:00 Riyadh: the job sends once a day from 08:00, so a worker that was down
    # at eight still sends the day's digest when it is back.
    Periodic("crm.jobs.send_daily_digest", "0 5-14 * * *", "the agents' daily digest from 08:00 Riyadh"),
    # Hourly: a lead whose attribution window ran out shows as free within the hour (a new claim does not
    # wait for it: the claim expires an overdue window itself).
    Periodic("affiliates.attribution.expire_attributions", "7 * * * *", "affiliate attributions whose window ran out"),
    # 03:00 Riyadh on the 1st: the month just ended is settled (tiers, recurring commissions, bonuses).
    Periodic("affiliates.commissions.monthly_commissions", "0 0 1 * *", "the monthly commission run"),
    # 06:00 Riyadh on the 1st: the month just ended, once the night's commission run has written it.
    Periodic("affiliates.jobs.monthly_performance", "0 3 1 * *", "each affiliate's figures for the month just ended"),
    # Hourly on Sunday from 08:00 to 17:00 Riyadh: the job sends once a week, so a worker that was down
    # at eight still sends the week's reports when it is back.
    Periodic("affiliates.jobs.weekly_reports", "0 5-14 * * 0", "the affiliates' weekly report from Sunday 08:00 Riyadh"),
    # 08:00 Riyadh on the 16th: the payouts built on the 1st are paid within 10 business days, so the
    # month's deals are paid by then.
    Periodic("affiliates.jobs.hiring_check", "0 5 16 * *", "affiliates eligible for hiring (a flag for a person)"),
)


def active_tenant_schemas() -> list[str]:
    from dealix.tenancy.models import Tenant

    with schema_context(get_public_schema_name()):
        return list(Tenant.objects.filter(is_active=True).exclude(schema_name=get_public_schema_name())
                    .values_list("schema_name", flat=True))


def fan_out(job_path: str) -> int:
    """Queue `job_path` once in every active tenant's schema; returns how many were queued."""
    schemas = active_tenant_schemas()
    for schema in schemas:
        with schema_context(schema):
            jobs.enqueue(job_path)
    return len(schemas)


def run_all_once(paths: list[str] | None = None) -> int:
    """Queue every periodic job (or the named ones) for every tenant now: `manage.py clock --once`."""
    queued = 0
    for periodic in PERIODIC_JOBS:
        if paths is None or periodic.path in paths:
            queued += fan_out(periodic.path)
    return queued
