"""Lead scoring against the table of RULES.md §1."""
import pytest

from crm.scoring import score_lead
from dealix.tenancy.rules import DEFAULT_RULES, rules_from_settings


def score(**inputs):
    values = {"employees": None, "sector": "", "engagement_signals": [], "budget_signals": [], "timing": ""}
    values.update(inputs)
    return score_lead(rules=DEFAULT_RULES, **values)


@pytest.mark.parametrize("employees, points", [(1, 5), (5, 5), (6, 10), (10, 10), (11, 20), (50, 20), (51, 15),
                                               (200, 15), (201, 8), (5000, 8), (None, 0), (0, 0)])
def test_company_size_points_follow_the_bands(employees, points):
    assert score(employees=employees).breakdown["company_size"] == points


@pytest.mark.parametrize("sector, points", [
    ("healthcare", 25), ("real_estate", 25), ("restaurants", 25), ("beauty", 25), ("education", 25),
    ("automotive", 25), ("retail", 15), ("legal", 15), ("construction", 15), ("ecommerce", 15),
    ("government", 5), ("non_profit", 5), ("manufacturing", 5), ("", 0), ("mining", 0)])
def test_industry_fit_points(sector, points):
    assert score(sector=sector).breakdown["industry_fit"] == points


@pytest.mark.parametrize("signals, points", [
    (["replied"], 5), (["asked_question"], 8), (["requested_demo"], 15), (["visited_website"], 3),
    (["opened_email"], 2), (["clicked_link"], 5), (["attended_meeting"], 20), (["requested_pricing"], 12),
    (["replied", "asked_question"], 13), (["attended_meeting", "requested_demo"], 30),
    (["attended_meeting", "requested_demo", "requested_pricing"], 30),  # capped at 30
    (["replied", "replied"], 5),  # a signal counts once
])
def test_engagement_signals_add_up_to_a_cap_of_30(signals, points):
    assert score(engagement_signals=signals).breakdown["engagement"] == points


@pytest.mark.parametrize("signals, points", [
    (["asked_pricing"], 5), (["compared_competitors"], 8), (["discussed_roi"], 10), (["mentioned_budget"], 12),
    (["ready_to_pay"], 15), (["asked_pricing", "compared_competitors"], 13), (["discussed_roi", "ready_to_pay"], 15)])
def test_budget_signals_add_up_to_a_cap_of_15(signals, points):
    assert score(budget_signals=signals).breakdown["budget"] == points


@pytest.mark.parametrize("timing, points", [("exploring", 3), ("evaluating", 6), ("deciding", 8), ("urgent", 10),
                                            ("", 0)])
def test_timing_points(timing, points):
    assert score(timing=timing).breakdown["timing"] == points


@pytest.mark.parametrize("inputs, total, band", [
    ({"employees": 30, "sector": "healthcare", "engagement_signals": ["attended_meeting", "requested_demo"],
      "budget_signals": ["ready_to_pay"], "timing": "urgent"}, 100, "hot"),
    ({"employees": 30, "sector": "healthcare", "engagement_signals": ["requested_demo"],
      "budget_signals": ["discussed_roi"], "timing": "deciding"}, 78, "warm"),
    ({"employees": 30, "sector": "healthcare", "engagement_signals": ["requested_demo", "replied"],
      "budget_signals": ["discussed_roi"], "timing": "deciding"}, 83, "hot"),
    ({"employees": 8, "sector": "retail", "engagement_signals": ["replied", "clicked_link"],
      "budget_signals": ["asked_pricing"], "timing": "evaluating"}, 46, "cold"),
    ({"employees": 100, "sector": "legal", "engagement_signals": ["requested_demo"], "budget_signals": [],
      "timing": "evaluating"}, 51, "warm"),
    ({}, 0, "cold"),
])
def test_the_total_and_band(inputs, total, band):
    result = score(**inputs)
    assert (result.total, result.band) == (total, band)
    assert sum(result.breakdown.values()) == total


def test_a_tenant_can_change_the_numbers():
    rules = rules_from_settings({"rules": {"hot_from": 70, "industry_points": {"mining": 25}}})

    result = score_lead(employees=None, sector="mining", engagement_signals=["attended_meeting", "requested_demo"],
                        budget_signals=["ready_to_pay"], timing="", rules=rules)

    assert result.total == 70 and result.band == "hot"
