"""The demo workspaces' partner programme (RULES.md §6).

The demo affiliate user (`affiliate@<slug>.test`) is an active bronze partner whose referrals run
through the CRM demo: two customers paid out in the last completed monthly payout (bank transfer to a
valid Saudi IBAN), one approved commission waiting for the next payout, one still inside the 30-day
guarantee window, one disputed (the dispute is under review, its amount frozen), and two open referrals.
Three more partners show the other states: an approved one who has not referred anyone yet, a
suspended one (self-referral: their own mobile number on the lead, so that commission was cancelled),
and a fresh applicant with their evaluation. Content is data in the tenant's language."""
from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from affiliates.choices import (AffiliateStatus, AttributionStatus, CommissionKind, CommissionStatus, DisputeStatus,
                                DisputeType, PayoutMethod, PayoutStatus, Tier)
from affiliates.models import Affiliate, AffiliateDeal, AffiliatePerformance, Commission, Dispute, Payout
from crm.choices import DealStage
from crm.models import Lead
from crm.demo import CrmDemo
from crm.demo_content import T
from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.core import sample_data as sample
from dealix.core.seeding import RIYADH, Batch, add_working_days, business_time, later, riyadh, working_day
from dealix.tenancy.rules import current_rules

CENT = Decimal("0.01")
BANKS_EN = {"10": "Saudi National Bank", "80": "Al Rajhi Bank", "45": "Saudi British Bank (SABB)",
            "20": "Riyad Bank", "05": "Alinma Bank", "15": "Bank Albilad", "30": "Arab National Bank"}
# The other partners: (status, name, English name for the email, city, code, days since applying)
OTHERS = [
    (AffiliateStatus.APPROVED, T("نواف العتيبي", "Nawaf Al-Otaibi"), "nawaf.alotaibi", "Jeddah", "NAWAF10", 12),
    (AffiliateStatus.SUSPENDED, T("ماجد الشهري", "Majed Al-Shehri"), "majed.alshehri", "Taif", "MAJED77", 95),
    (AffiliateStatus.APPLIED, T("هيفاء القحطاني", "Haifa Al-Qahtani"), "haifa.alqahtani", "Dammam", None, 2),
]
ACTIVE_CODES = {"ar": "FAISAL25", "en": "TARIQ25"}


def seed_affiliates(*, crm: CrmDemo | None, language: str, people: dict, slug: str, rng: random.Random,
                    now: dt.datetime) -> None:
    if crm is None or Affiliate.objects.exists():
        return
    _Programme(crm, people=people, slug=slug, rng=rng, now=now).build()


class _Programme:
    def __init__(self, crm: CrmDemo, *, people, slug, rng, now):
        self.crm, self.people, self.slug, self.rng, self.now = crm, people, slug, rng, now
        self.rules = current_rules()
        self.batch = Batch()
        self.manager = people[Role.MANAGER]
        self.t = crm.text

    def build(self):
        active = self.active_partner()
        others = {status: self.other_partner(status, *rest) for status, *rest in OTHERS}
        payout = self.payout(active)
        commissions = {}
        for key, story in self.crm.stories.items():
            partner = {"active": active, "suspended": others[AffiliateStatus.SUSPENDED]}.get(story.get("affiliate"))
            if partner is not None:
                commissions[key] = self.referral(partner, key, payout)
        disputed = [key for key, story in self.crm.stories.items() if story.get("commission") == "disputed"]
        for key in disputed:
            self.dispute(active, commissions.get(key))
        self.performance(active)
        payout.amount = sum((commission.amount for commission in commissions.values()
                             if commission is not None and commission.payout is payout), Decimal("0"))
        self.batch.save((Affiliate, Payout, AffiliateDeal, Commission, Dispute, AffiliatePerformance))
        # The referred leads arrived through the partner's link (?ref=CODE).
        for partner in (active, others[AffiliateStatus.SUSPENDED]):
            keys = [key for key, story in self.crm.stories.items()
                    if story.get("affiliate") == ("active" if partner is active else "suspended")]
            Lead.objects.filter(pk__in=[self.crm.leads[key].pk for key in keys]).update(
                referral_code=partner.referral_code)

    # --- partners ------------------------------------------------------------------------------------
    def active_partner(self) -> Affiliate:
        user = self.people[Role.AFFILIATE]
        joined = business_time(self.rng, self.now, 120)
        approved = later(self.rng, joined, self.now, min_minutes=60 * 24 * 2, max_minutes=60 * 24 * 4)
        network = self.t(T("أصحاب العيادات والمطاعم في المنطقة الجنوبية", "clinic and restaurant owners in the south"))
        affiliate = Affiliate(user=user, full_name=user.full_name, email=user.email,
                              phone=sample.saudi_mobile(self.rng), city=self.t(T("الرياض", "Riyadh")),
                              status=AffiliateStatus.ACTIVE, tier=Tier.BRONZE,
                              referral_code=ACTIVE_CODES.get(self.crm.language, "PARTNER25"), approved_at=approved,
                              evaluation={"score": 84, "network": network, "experience_years": 6, "flags": []})
        self.batch.add(affiliate, joined, approved)
        return affiliate

    def other_partner(self, status, name, email_name, city_key, code, days_ago) -> Affiliate:
        rng = self.rng
        applied = business_time(rng, self.now, days_ago)
        full_name = self.t(name)
        email = f"{email_name}@partners.{self.slug}.test"
        user = None
        approved_at = None
        if status != AffiliateStatus.APPLIED:
            approved_at = later(rng, applied, self.now, min_minutes=60 * 24, max_minutes=60 * 24 * 3)
            # An approved partner gets a login; the invitation sets the password, so none is stored here.
            user = User.objects.create_user(email=email, password=None, full_name=full_name, role=Role.AFFILIATE,
                                            language=self.crm.language)
        phone = self.crm.self_referral_phone if status == AffiliateStatus.SUSPENDED else sample.saudi_mobile(rng)
        city = self.t(T(dict((en, ar) for en, ar, _region in sample.CITIES)[city_key], city_key))
        affiliate = Affiliate(
            user=user, full_name=full_name, email=email, phone=phone, city=city, status=status, tier=Tier.BRONZE,
            referral_code=code, approved_at=approved_at,
            risk_score=86 if status == AffiliateStatus.SUSPENDED else (12 if status == AffiliateStatus.APPLIED else 5),
            status_reason=self.t(T(
                "إحالة ذاتية: رقم جوال الشريك نفسه على العميل «مؤسسة النور للتجارة»، وقفزة في العملاء أربعة أضعاف "
                "معدله الأسبوعي. موقوف حتى المراجعة.",
                "Self-referral: the partner's own mobile number is on the Noor Trading lead, and a lead spike at "
                "four times the weekly average. Suspended pending review.")) if status == AffiliateStatus.SUSPENDED
            else "",
            evaluation={"score": {AffiliateStatus.APPLIED: 72, AffiliateStatus.APPROVED: 78}.get(status, 61),
                        "network": self.t(T("شبكة علاقات مع المعارض التجارية", "well connected with retail showrooms")),
                        "experience_years": {AffiliateStatus.APPLIED: 4}.get(status, 3),
                        "flags": ["self_referral", "lead_spike"] if status == AffiliateStatus.SUSPENDED else []})
        updated = approved_at or applied
        if status == AffiliateStatus.SUSPENDED:
            updated = business_time(rng, self.now, 15)
        self.batch.add(affiliate, applied, updated)
        return affiliate

    # --- money ------------------------------------------------------------------------------------------
    def payout(self, affiliate) -> Payout:
        """Last month's batch: computed on the 1st, paid by bank transfer within 10 business days."""
        batch_day = self.crm.batch_day
        iban = sample.saudi_iban(self.rng)
        bank = sample.SAUDI_BANK_CODES[iban[4:6]] if self.crm.language == "ar" else BANKS_EN[iban[4:6]]
        processed = riyadh(add_working_days(working_day(batch_day, forward=True), 4), 11, 20)
        payout = Payout(affiliate=affiliate, amount=Decimal("0"), currency="SAR", method=PayoutMethod.BANK_TRANSFER,
                        status=PayoutStatus.COMPLETED, reference=f"PO-{batch_day:%Y%m}-0001", bank_name=bank,
                        iban=iban, period=batch_day, processed_at=processed)
        self.batch.add(payout, riyadh(batch_day, 6), processed)
        return payout

    def referral(self, affiliate, key, payout) -> Commission | None:
        """The attribution of one referred lead and, once its deal is won, the commission on it."""
        crm, rng = self.crm, self.rng
        lead, deal = crm.leads[key], crm.deals.get(key)
        attributed = crm.lead_created[lead.pk]  # registered when the lead arrived
        window = dt.timedelta(days=self.rules.attribution_days)
        if deal is not None and deal.stage == DealStage.NEGOTIATION:
            window += dt.timedelta(days=self.rules.negotiation_extension_days)
        won = deal is not None and deal.stage == DealStage.CLOSED_WON
        plan = crm.plan.get(key, "starter")
        rate = self.rules.commission_rates[affiliate.tier][plan]
        revenue = crm.subscription_value[key] if won else Decimal("0")
        amount = (revenue * rate / 100).quantize(CENT, ROUND_HALF_UP)
        story = crm.stories[key]
        commission = None
        status = AttributionStatus.PENDING
        if won:
            history = story.get("history") == "paid"
            closed = deal.closed_at
            period = closed.astimezone(RIYADH).date().replace(day=1)
            approved_at = None
            if history or (self.now - closed).days > self.rules.guarantee_days:
                approved_at = business_time(rng, closed + dt.timedelta(days=self.rules.guarantee_days + 2), 0)
                approved_at = min(max(approved_at, closed + dt.timedelta(days=self.rules.guarantee_days)), self.now)
            commission = Commission(affiliate=affiliate, deal=deal, kind=CommissionKind.DEAL, amount=amount,
                                    currency="SAR", rate=rate, period=period, status=CommissionStatus.PENDING)
            updated = closed
            if affiliate.status == AffiliateStatus.SUSPENDED:
                commission.status, commission.held = CommissionStatus.CANCELLED, True
                commission.hold_reason = self.t(T(
                    "إحالة ذاتية: رقم جوال العميل هو رقم الشريك نفسه. أُلغيت العمولة بعد المراجعة.",
                    "Self-referral: the customer's mobile is the partner's own number. Cancelled after review."))
                updated = later(rng, closed, self.now, min_minutes=60 * 24, max_minutes=60 * 24 * 3)
            elif history:
                commission.status, commission.approved_at, commission.approved_by = (
                    CommissionStatus.PAID, approved_at, self.manager)
                commission.payout = payout
                status = AttributionStatus.PAID
                updated = payout.processed_at
            elif story.get("commission") == "disputed":
                commission.status = CommissionStatus.DISPUTED
                status = AttributionStatus.DISPUTED
                updated = self.now - dt.timedelta(days=3)
            elif approved_at is not None:
                commission.status, commission.approved_at, commission.approved_by = (
                    CommissionStatus.APPROVED, approved_at, self.manager)
                status = AttributionStatus.CONFIRMED
                updated = approved_at
            else:
                status = AttributionStatus.CONFIRMED
            self.batch.add(commission, closed, updated)
        if affiliate.status == AffiliateStatus.SUSPENDED:
            status = AttributionStatus.PENDING
        self.batch.add(AffiliateDeal(affiliate=affiliate, deal=deal, lead=lead, attributed_revenue=revenue,
                                     commission_amount=amount, share_percent=Decimal("100"), status=status,
                                     attributed_at=attributed, expires_at=attributed + window),
                       attributed, deal.closed_at if won else attributed)
        return commission

    def dispute(self, affiliate, commission):
        if commission is None:
            return
        opened = business_time(self.rng, self.now, 3)
        self.batch.add(Dispute(
            commission=commission, affiliate=affiliate, type=DisputeType.COMMISSION, status=DisputeStatus.UNDER_REVIEW,
            amount_frozen=commission.amount,
            due_at=riyadh(add_working_days(opened.astimezone(RIYADH).date(), self.rules.dispute_decision_business_days),
                          17),
            description=self.t(T(
                "احتُسبت العمولة على قيمة الاشتراك فقط (18,000 ريال). الاتفاق مع العميل شمل رسوم التهيئة 3,500 ريال "
                "وأرى أنها جزء من الإيراد المنسوب لي.",
                "The commission was computed on the subscription only (SAR 18,000). The customer's order included "
                "the SAR 3,500 set-up fee, which I believe is part of my attributed revenue."))),
            opened, later(self.rng, opened, self.now, min_minutes=60, max_minutes=60 * 6))

    def performance(self, affiliate):
        """Monthly figures for the active partner, from the referrals above."""
        months: dict = {}
        for obj in self.batch.objects.get(AffiliateDeal, []):
            if obj.affiliate is not affiliate:
                continue
            month = obj.attributed_at.astimezone(RIYADH).date().replace(day=1)
            months.setdefault(month, {"leads": 0, "deals": 0, "revenue": Decimal("0"), "commission": Decimal("0")})
            months[month]["leads"] += 1
        for obj in self.batch.objects.get(Commission, []):
            if obj.affiliate is not affiliate or obj.status == CommissionStatus.CANCELLED:
                continue
            month = obj.deal.closed_at.astimezone(RIYADH).date().replace(day=1)
            figures = months.setdefault(month, {"leads": 0, "deals": 0, "revenue": Decimal("0"),
                                                "commission": Decimal("0")})
            figures["deals"] += 1
            figures["revenue"] += self.crm.subscription_value[next(key for key, deal in self.crm.deals.items()
                                                                   if deal is obj.deal)]
            figures["commission"] += obj.amount
        this_month = self.now.astimezone(RIYADH).date().replace(day=1)
        for month, figures in sorted(months.items()):
            rate = (Decimal(figures["deals"]) / figures["leads"] * 100) if figures["leads"] else Decimal("0")
            next_month = (month + dt.timedelta(days=32)).replace(day=1)
            computed = min(riyadh(next_month, 6), self.now - dt.timedelta(minutes=1)) if month < this_month else \
                self.now - dt.timedelta(hours=1)
            self.batch.add(AffiliatePerformance(affiliate=affiliate, period=month, leads_generated=figures["leads"],
                                                deals_closed=figures["deals"], revenue_attributed=figures["revenue"],
                                                commission_earned=figures["commission"],
                                                conversion_rate=min(rate, Decimal("100")).quantize(CENT)),
                           computed)
