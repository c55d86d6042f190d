"""What each plan includes (RULES.md §5). `None` means unlimited. A limit reached blocks the next
create with a clear message; nothing existing is touched."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dealix.tenancy.choices import Plan


@dataclass(frozen=True)
class PlanLimits:
    price_sar_month: Decimal
    users: int | None
    leads_per_month: int | None
    whatsapp_per_month: int | None


PLAN_LIMITS = {
    Plan.FREE: PlanLimits(Decimal("0"), users=2, leads_per_month=100, whatsapp_per_month=100),
    Plan.STARTER: PlanLimits(Decimal("299"), users=2, leads_per_month=100, whatsapp_per_month=500),
    Plan.PRO: PlanLimits(Decimal("699"), users=10, leads_per_month=1_000, whatsapp_per_month=5_000),
    Plan.ENTERPRISE: PlanLimits(Decimal("1499"), users=None, leads_per_month=None, whatsapp_per_month=None),
}


def limits_for(tenant) -> PlanLimits:
    return PLAN_LIMITS.get(getattr(tenant, "plan", Plan.FREE), PLAN_LIMITS[Plan.FREE])
