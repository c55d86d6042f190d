"""Lead scoring, exactly as RULES.md §1: company size (max 20) + industry fit (max 25) + engagement
(sum, max 30) + budget signals (sum, max 15) + timing (max of, max 10) = 0–100, stored with its
breakdown so a person can see why a lead is hot, warm or cold."""
from __future__ import annotations

from dataclasses import dataclass

from dealix.tenancy.rules import TenantRules


@dataclass(frozen=True)
class Score:
    total: int
    breakdown: dict[str, int]
    band: str


def size_points(employees: int | None, rules: TenantRules) -> int:
    if not employees:
        return 0
    for up_to, points in rules.size_points:
        if employees <= up_to:
            return min(points, rules.size_max)
    return min(rules.size_points[-1][1], rules.size_max)


def score_lead(*, employees: int | None, sector: str, engagement_signals, budget_signals, timing: str,
               rules: TenantRules) -> Score:
    engagement = sum(rules.engagement_points.get(signal, 0) for signal in set(engagement_signals or ()))
    budget = sum(rules.budget_points.get(signal, 0) for signal in set(budget_signals or ()))
    breakdown = {
        "company_size": size_points(employees, rules),
        "industry_fit": min(rules.industry_points.get(sector or "", 0), rules.industry_max),
        "engagement": min(engagement, rules.engagement_max),
        "budget": min(budget, rules.budget_max),
        "timing": min(rules.timing_points.get(timing or "", 0), rules.timing_max),
    }
    total = max(0, min(100, sum(breakdown.values())))
    return Score(total=total, breakdown=breakdown, band=rules.band(total))


def score_for(lead, rules: TenantRules) -> Score:
    return score_lead(employees=lead.employees, sector=lead.sector, engagement_signals=lead.engagement_signals,
                      budget_signals=lead.budget_signals, timing=lead.timing, rules=rules)
