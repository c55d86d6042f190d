"""The business rules' numbers (RULES.md), in one object per tenant.

Every number in RULES.md is a default a tenant owner may change, unless it is fixed by law (VAT) or by
the product. Code reads them from `rules_for(tenant)` (or `current_rules()` inside a request or job),
never from a literal scattered in views. A tenant's overrides live in `Tenant.settings["rules"]`, a
dict of the same keys; anything not overridden is the default below.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

# Fixed by law, not a tenant setting.
VAT_RATE = Decimal("0.15")


def _d(value: str) -> Decimal:
    return Decimal(value)


@dataclass(frozen=True)
class TenantRules:
    # --- locale ---------------------------------------------------------------------------------
    time_zone: str = "Asia/Riyadh"
    currency: str = "SAR"
    work_days: tuple[int, ...] = (6, 0, 1, 2, 3)  # Python weekday(): Sunday=6 … Thursday=3

    # --- §1 leads and qualification --------------------------------------------------------------
    greeting_minutes: int = 5
    # Company size by employees: (up to N employees inclusive, points); anything larger gets the last.
    size_points: tuple[tuple[int, int], ...] = ((5, 5), (10, 10), (50, 20), (200, 15), (10**9, 8))
    size_max: int = 20
    industry_points: dict = field(default_factory=lambda: {
        "healthcare": 25, "real_estate": 25, "restaurants": 25, "beauty": 25, "education": 25, "automotive": 25,
        "retail": 15, "legal": 15, "construction": 15, "ecommerce": 15,
        "government": 5, "non_profit": 5, "manufacturing": 5,
    })
    industry_max: int = 25
    engagement_points: dict = field(default_factory=lambda: {
        "replied": 5, "asked_question": 8, "requested_demo": 15, "visited_website": 3, "opened_email": 2,
        "clicked_link": 5, "attended_meeting": 20, "requested_pricing": 12,
    })
    engagement_max: int = 30
    budget_points: dict = field(default_factory=lambda: {
        "asked_pricing": 5, "compared_competitors": 8, "discussed_roi": 10, "mentioned_budget": 12,
        "ready_to_pay": 15,
    })
    budget_max: int = 15
    timing_points: dict = field(default_factory=lambda: {"exploring": 3, "evaluating": 6, "deciding": 8, "urgent": 10})
    timing_max: int = 10
    hot_from: int = 80
    warm_from: int = 50
    hot_first_contact_minutes: int = 30
    warm_nurture_days: int = 3
    cold_drip_days: int = 30

    # --- §2 follow-up and channels ---------------------------------------------------------------
    reminder_after_hours: int = 24
    no_response_after_hours: int = 72
    max_unanswered_follow_ups: int = 3
    follow_up_cool_down_days: int = 7
    # (start hour, end hour) in local time, on work days.
    sending_windows: dict = field(default_factory=lambda: {
        "whatsapp": (9, 21), "email": (9, 17), "sms": (9, 18), "phone": (9, 18)})
    whatsapp_daily_limit: int = 5
    whatsapp_min_gap_minutes: int = 30
    whatsapp_max_unanswered: int = 3
    whatsapp_free_text_hours: int = 24
    unanswered_calls_before_switch: int = 2  # "2 unanswered calls → switch channel"
    send_retries: int = 3
    send_retry_base_seconds: int = 60

    # --- §3 meetings -----------------------------------------------------------------------------
    meeting_minutes: dict = field(default_factory=lambda: {
        "demo": 30, "consultation": 15, "custom_presentation": 45, "follow_up": 15})
    meeting_day: tuple[int, int] = (9, 17)
    meeting_break: tuple[int, int] = (12, 13)
    meeting_buffer_minutes: int = 15
    meetings_per_agent_per_day: int = 8
    booking_min_hours_ahead: int = 2
    booking_max_days_ahead: int = 14
    reschedule_until_hours: int = 2
    max_reschedules: int = 2
    no_show_after_minutes: int = 10
    contact_reminder_hours: tuple[int, int] = (24, 1)  # the two reminders to the contact before a meeting
    agent_reminder_minutes: int = 15
    no_show_offer_slots: int = 3
    no_show_offer_hours: int = 48
    no_shows_lower_priority: int = 3

    # --- §4 deals and proposals ------------------------------------------------------------------
    stage_probability: dict = field(default_factory=lambda: {
        "discovery": 10, "proposal": 30, "negotiation": 60, "closed_won": 100, "closed_lost": 0})
    guarantee_days: int = 30
    proposal_valid_days: int = 30
    proposal_discount_needs_approval_over: Decimal = _d("10")
    proposal_total_needs_approval_over: Decimal = _d("500000")

    # --- §6 affiliates ---------------------------------------------------------------------------
    attribution_days: int = 90
    negotiation_extension_days: int = 30
    reapply_after_days: int = 30
    # tier -> lowest number of closed deals in the month
    tier_thresholds: dict = field(default_factory=lambda: {"bronze": 0, "silver": 5, "gold": 8, "platinum": 10})
    commission_rates: dict = field(default_factory=lambda: {
        "bronze": {"starter": _d("15"), "pro": _d("20"), "enterprise": _d("25")},
        "silver": {"starter": _d("17"), "pro": _d("22"), "enterprise": _d("27")},
        "gold": {"starter": _d("19"), "pro": _d("24"), "enterprise": _d("29")},
        "platinum": {"starter": _d("22"), "pro": _d("27"), "enterprise": _d("32")},
    })
    # (deals in the month, bonus SAR), highest first
    monthly_bonuses: tuple[tuple[int, Decimal], ...] = ((15, _d("3000")), (10, _d("1500")), (5, _d("500")))
    payout_minimum: Decimal = _d("100")
    payout_within_business_days: int = 10
    dispute_window_days: int = 14
    dispute_decision_business_days: int = 5
    appeal_window_days: int = 7
    hiring_paid_deals_per_month: int = 10
    hiring_consecutive_months: int = 3
    lead_spike_factor: int = 3
    fraud_risk_suspend_over: int = 80

    # --- §7 compliance, §8 guarantee ---------------------------------------------------------------
    complaint_ack_hours: int = 24
    complaint_investigate_business_days: int = 3
    complaint_follow_up_days: int = 7
    dsr_ack_hours: int = 48
    dsr_fulfil_days: int = 30
    consent_history_months: int = 36
    guarantee_min_leads: int = 20
    guarantee_min_messages: int = 50
    guarantee_min_consecutive_days: int = 14
    guarantee_owner_approval_over: Decimal = _d("50000")

    def band(self, score: int) -> str:
        if score >= self.hot_from:
            return "hot"
        if score >= self.warm_from:
            return "warm"
        return "cold"


DEFAULT_RULES = TenantRules()


def rules_from_settings(settings: dict | None) -> TenantRules:
    """Defaults overridden by the tenant's `settings["rules"]`; unknown keys are ignored."""
    overrides = (settings or {}).get("rules") or {}
    known = {item.name for item in dataclasses.fields(TenantRules)}
    return dataclasses.replace(DEFAULT_RULES, **{key: value for key, value in overrides.items() if key in known})


def rules_for(tenant) -> TenantRules:
    """The tenant's rules, built once per tenant object (a request's tenant is asked many times)."""
    settings = getattr(tenant, "settings", None)
    cached = getattr(tenant, "_dealix_rules", None)
    if cached is not None and cached[0] == settings:
        return cached[1]
    rules = rules_from_settings(settings)
    if tenant is not None:
        tenant._dealix_rules = (dict(settings or {}), rules)
    return rules


def current_tenant():
    """The Tenant row the connection is on. Requests and jobs (dealix.core.jobs) set the row itself; code
    inside a bare `schema_context` (a management command, a test) has only django-tenants' FakeTenant,
    a schema name without settings, slug or name, so the row is looked up."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or hasattr(tenant, "slug"):
        return tenant
    from dealix.tenancy.models import Tenant
    return Tenant.objects.filter(schema_name=connection.schema_name).first() or tenant


def current_rules() -> TenantRules:
    """The rules of the tenant the connection is on (a request, a job, or a schema context)."""
    return rules_for(current_tenant())
