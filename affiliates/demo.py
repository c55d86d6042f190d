"""The demo workspaces' partner programme (RULES.md §6), built on the CRM demo's referred leads.

The demo affiliate (`affiliate@<slug>.test`) is an active bronze partner: the last completed monthly
payout paid one of their customers (bank transfer to a valid Saudi IBAN); a second one was approved
after that batch was built and waits for the next; one has passed its guarantee window with its
payment confirmed, so a manager can approve it today; one is still inside the window; one is disputed
(an open dispute, its amount frozen, decided by `due_at`); two referrals are still open. Around them:
a partner approved recently who has not referred anyone yet, a suspended one whose self-referral raised
a risk signal (their commission is held), an application waiting for review and one turned down.

The rows are the ones the services leave, with the services' own helpers doing the sums: attributions
with their source and 90-day window (`affiliates.attribution`), commissions with the `basis` the engine
writes (`affiliates.commissions`), the customers' monthly payments (the first month carries the one-off
add-ons, so a year of payments adds up to the deal's value and no recurring commission is due yet),
evaluations as `affiliate_apply` makes them, policy acceptances as the approval records them, and each
completed month's figures as `affiliates.performance` computes them. Like the CRM demo, it writes the
rows directly, dated in the past, and no audit rows: seeding is the system's own initial data. The
monthly run, the performance job and the won-deal receiver find nothing left to do afterwards
(tests/test_seed.py checks it). Content is data in the tenant's language (`T(ar, en)`), not gettext.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Q

from affiliates.applications import active_policies, default_commission_rate, evaluate
from affiliates.attribution import window_end
from affiliates.choices import (AffiliateStatus, AttributionSource, AttributionStatus, CommissionKind,
                                CommissionStatus, DisputeStatus, DisputeType, PayoutMethod, PayoutStatus,
                                RiskSignalKind, Tier)
from affiliates.commissions import BASIS_VERSION, _automatic_hold, _rate_for, money, month_of, tier_for
from affiliates.disputes import _decision_due
from affiliates.fraud import SIGNAL_POINTS
from affiliates.models import (Affiliate, AffiliateDeal, AffiliatePerformance, Commission, Dispute, Payout,
                               PolicyAcceptance, RiskSignal)
from affiliates.performance import IN_PROGRAMME, PERFORMANCE_FIELDS, Figures, add_months, figures_for, month_bounds
from compliance.models import Policy
from crm.choices import DealStage, PaymentStatus
from crm.demo import CrmDemo
from crm.demo_content import T
from crm.models import Lead, Payment
from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.core import sample_data as sample
from dealix.core.phones import normalise_phone
from dealix.core.seeding import RIYADH, Batch, add_working_days, backdate, business_time, later, riyadh, working_day
from dealix.tenancy.rules import current_rules

BANKS_EN = {"10": "Saudi National Bank", "80": "Al Rajhi Bank", "45": "Saudi British Bank (SABB)",
            "20": "Riyad Bank", "05": "Alinma Bank", "15": "Bank Albilad", "30": "Arab National Bank"}
ACTIVE_CODES = {"ar": "FAISAL25", "en": "TARIQ25"}
# The history deal whose commission was approved only after the last batch was built (see crm.demo's
# `history_close`): it waits, approved, for the next payout.
APPROVED_AFTER_BATCH = "paid-2"
INSERT_ORDER = (Payment, Affiliate, PolicyAcceptance, RiskSignal, Payout, AffiliateDeal, Commission, Dispute)

# What each person wrote on the application form (`affiliate_apply`'s data).
APPLICATIONS = {
    "active": dict(
        city=T("الرياض", "Riyadh"), sectors=["healthcare", "restaurants"], experience="over_5",
        audience=T("أدير مكتب استشارات صغيراً لأصحاب العيادات والمطاعم في المنطقة الجنوبية وألتقي كل أسبوع بعشرة "
                   "إلى خمسة عشر صاحب عمل. أغلبهم ما زال يستقبل الحجوزات على واتساب ويخسر العملاء بعد ساعات الدوام، "
                   "وهذا بالضبط ما يحله نظامكم.",
                   "I run a small consultancy for clinic and restaurant owners in the southern region and meet ten "
                   "to fifteen business owners every week. Most of them still take bookings on WhatsApp and lose "
                   "customers after hours, which is exactly what your system fixes.")),
    "nawaf": dict(
        city=T("جدة", "Jeddah"), sectors=["retail", "automotive"], experience="1_3",
        audience=T("أورّد مستلزمات العرض لمعارض التجزئة والسيارات في جدة وأزور مديريها كل شهر، وكثير منهم يسألني عن "
                   "نظام يتابع العملاء من واتساب حتى البيع.",
                   "I supply display fittings to retail and car showrooms in Jeddah and visit their managers every "
                   "month; many of them ask me for a system that follows customers from WhatsApp to the sale.")),
    "majed": dict(
        city=T("الطائف", "Taif"), sectors=["retail"], experience="1_3",
        audience=T("أبيع أجهزة نقاط البيع للمحلات الصغيرة في الطائف وأستطيع أن أرشّح نظامكم لعملائي.",
                   "I sell point-of-sale devices to small shops in Taif and can recommend your system to my "
                   "customers.")),
    "haifa": dict(
        city=T("الدمام", "Dammam"), sectors=["beauty", "healthcare", "ecommerce"], experience="3_5",
        audience=T("أنظم أمسيات تعارف لرائدات الأعمال في المنطقة الشرقية، وفي المجموعة نحو مئتي عضوة يملكن صالونات "
                   "وعيادات ومتاجر إلكترونية، وكثيرات يسألنني عن نظام لإدارة العملاء. أقدّم لهن الأنظمة التي جربتها "
                   "بنفسي وأتابع معهن حتى التشغيل.",
                   "I organise networking evenings for women entrepreneurs in the Eastern Province. About two "
                   "hundred members own salons, clinics and online stores, and many ask me which customer system "
                   "to use. I introduce them to tools I have tried myself and stay with them until they are up and "
                   "running.")),
    "saad": dict(
        city=T("الرياض", "Riyadh"), sectors=["retail"], experience="none",
        audience=T("متابعون على إنستغرام.", "Instagram followers.")),
}
# The other people in the programme: key, status, name, email (None: at the partners' domain), code,
# days since applying.
OTHERS = [
    ("nawaf", AffiliateStatus.ACTIVE, T("نواف العتيبي", "Nawaf Al-Otaibi"), None, "NAWAF10", 12),
    ("majed", AffiliateStatus.SUSPENDED, T("ماجد الشهري", "Majed Al-Shehri"), None, "MAJED77", 95),
    ("haifa", AffiliateStatus.APPLIED, T("هيفاء القحطاني", "Haifa Al-Qahtani"), None, None, 2),
    # A throwaway address: the evaluation flags it.
    ("saad", AffiliateStatus.TERMINATED, T("سعد الحربي", "Saad Al-Harbi"), "saad.harbi.deals@mailinator.com", None,
     20),
]
EMAIL_NAMES = {"nawaf": "nawaf.alotaibi", "majed": "majed.alshehri", "haifa": "haifa.alqahtani"}
SUSPENSION = T("إحالة ذاتية: رقم جوال الشريك نفسه على العميل «مؤسسة النور للتجارة». موقوف حتى تنتهي المراجعة.",
               "Self-referral: the partner's own mobile number is on the Noor Trading lead. Suspended until the "
               "review is done.")
REJECTION = T("لم نتمكن من قبول الطلب بصيغته الحالية: أُرسل من بريد إلكتروني مؤقت، ولا يذكر من ستعرّفنا بهم. "
              "يسعدنا أن تتقدم مجدداً ببريدك الخاص ومعلومات أكثر عن شبكة علاقاتك.",
              "We could not accept the application as it stands: it came from a throwaway email address and says "
              "little about who you would introduce us to. You are welcome to apply again with your own email "
              "address and more about your network.")
DISPUTE = T("أضاف العميل تدريب الفريق في الموقع (7,000 ريال) بعد التوقيع بعشرة أيام بفاتورة منفصلة. جاء ذلك من "
            "تعريفي به، وأرى أنه جزء من الإيراد المنسوب لي.",
            "The customer added on-site team training (SAR 7,000) ten days after signing, on a separate invoice. "
            "It came from my introduction, so I believe it belongs in my attributed revenue.")


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
        self.policies = active_policies()
        self.partners: dict = {}      # "active" | "nawaf" | "majed" | … → Affiliate
        self.payments: dict = {}      # story key → [Payment], oldest first
        self.commissions: dict = {}   # story key → Commission
        self.attributions: dict = {}  # story key → AffiliateDeal

    def build(self):
        self.active_partner()
        for spec in OTHERS:
            self.other_partner(*spec)
        self.date_programme_policies()
        for key in sorted(self.crm.customers, key=lambda key: self.crm.customers[key].activated_at):
            self.customer_payments(key)
        referred = {key: story for key, story in self.crm.stories.items() if story.get("affiliate")}
        partner_of = {"active": self.partners["active"], "suspended": self.partners["majed"]}
        for key, story in referred.items():
            self.attribution(partner_of[story["affiliate"]], key)
        won = sorted((key for key in referred if key in self.crm.customers),
                     key=lambda key: self.crm.deals[key].closed_at)
        for key in won:
            self.deal_commission(key)
        self.self_referral_signal()
        payout = self.payout(self.partners["active"])
        for key in won:
            self.settle(key, payout)
        self.batch.save(INSERT_ORDER)
        # The code the lead arrived with (the link's `?ref=`, or the partner's own when registered in the portal).
        for name, partner in partner_of.items():
            Lead.objects.filter(pk__in=[self.crm.leads[key].pk for key, story in referred.items()
                                        if story["affiliate"] == name]).update(referral_code=partner.referral_code)
        self.performance()

    # --- people ------------------------------------------------------------------------------------------
    def application(self, key: str, *, full_name: str, email: str, phone: str, applied: dt.datetime) -> dict:
        """The evaluation `affiliate_apply` stores: the scores and flags of what the person wrote, and the
        policy versions they accepted on the form (the approval records those acceptances)."""
        form = APPLICATIONS[key]
        data = {"full_name": full_name, "email": email, "phone": phone, "city": self.t(form["city"]),
                "audience": self.t(form["audience"]), "sectors": form["sectors"], "experience": form["experience"],
                "language": self.crm.language}
        ip = _ip(self.rng)
        evaluation = evaluate(data=data, ip_address=ip, now=applied)
        evaluation["acceptance"] = {"at": _iso(applied), "ip": ip,
                                    "policies": {policy.type: str(policy.pk) for policy in self.policies}}
        return evaluation

    def payout_details(self, affiliate: Affiliate) -> None:
        iban = sample.saudi_iban(self.rng)
        affiliate.payout_method = PayoutMethod.BANK_TRANSFER
        affiliate.iban = iban
        affiliate.bank_name = sample.SAUDI_BANK_CODES[iban[4:6]] if self.crm.language == "ar" else BANKS_EN[iban[4:6]]

    def approve(self, affiliate: Affiliate, approved: dt.datetime) -> None:
        """What `affiliate_approve` records besides the status: the tier's rate, the policy acceptances of
        the application, and the welcome email sent by its job."""
        affiliate.approved_at = approved
        affiliate.commission_rate = money(default_commission_rate(affiliate.tier))  # as read back from the row
        acceptance = affiliate.evaluation["acceptance"]
        for policy in self.policies:
            self.batch.add(PolicyAcceptance(affiliate=affiliate, policy=policy,
                                            accepted_at=dt.datetime.fromisoformat(acceptance["at"]),
                                            ip_address=acceptance["ip"]), approved)
        affiliate.evaluation["emailed"] = {"acceptance": _iso(approved + dt.timedelta(seconds=40))}

    def active_partner(self) -> Affiliate:
        user = self.people[Role.AFFILIATE]
        applied = business_time(self.rng, self.now, 120)
        approved = later(self.rng, applied, self.now, min_minutes=60 * 24 * 2, max_minutes=60 * 24 * 4)
        phone = sample.saudi_mobile(self.rng)
        affiliate = Affiliate(user=user, full_name=user.full_name, email=user.email, phone=phone,
                              city=self.t(APPLICATIONS["active"]["city"]), status=AffiliateStatus.ACTIVE,
                              tier=Tier.BRONZE, referral_code=ACTIVE_CODES.get(self.crm.language, "PARTNER25"),
                              evaluation=self.application("active", full_name=user.full_name, email=user.email,
                                                          phone=phone, applied=applied))
        self.approve(affiliate, approved)
        self.payout_details(affiliate)
        self.batch.add(affiliate, applied, approved)
        self.partners["active"] = affiliate
        return affiliate

    def other_partner(self, key, status, name, email, code, days_ago) -> Affiliate:
        rng = self.rng
        applied = business_time(rng, self.now, days_ago)
        full_name = self.t(name)
        email = email or f"{EMAIL_NAMES[key]}@partners.{self.slug}.test"
        phone = self.crm.self_referral_phone if key == "majed" else sample.saudi_mobile(rng)
        affiliate = Affiliate(full_name=full_name, email=email, phone=phone, status=status, tier=Tier.BRONZE,
                              referral_code=code, city=self.t(APPLICATIONS[key]["city"]),
                              evaluation=self.application(key, full_name=full_name, email=email, phone=phone,
                                                          applied=applied))
        updated = applied
        if status == AffiliateStatus.TERMINATED:  # an application turned down (`affiliate_reject`)
            affiliate.rejected_at = updated = later(rng, applied, self.now, min_minutes=60 * 24,
                                                    max_minutes=60 * 24 * 2)
            affiliate.status_reason = self.t(REJECTION)
            affiliate.evaluation["emailed"] = {"rejection": _iso(updated + dt.timedelta(seconds=40))}
        elif status != AffiliateStatus.APPLIED:
            updated = later(rng, applied, self.now, min_minutes=60 * 24, max_minutes=60 * 24 * 3)
            # The approval's login, without a password (the welcome email's link sets one); a suspended
            # partner's login is closed.
            affiliate.user = User.objects.create_user(email=email, password=None, full_name=full_name,
                                                      role=Role.AFFILIATE, language=self.crm.language, phone=phone,
                                                      is_active=status != AffiliateStatus.SUSPENDED)
            self.approve(affiliate, updated)
            self.payout_details(affiliate)
        if status == AffiliateStatus.SUSPENDED:
            affiliate.status_reason = self.t(SUSPENSION)  # the date is set with the risk signal below
        self.batch.add(affiliate, applied, updated)
        self.partners[key] = affiliate
        return affiliate

    def date_programme_policies(self) -> None:
        """The programme's policies arrive with the schema (compliance migration 0004), dated the day the
        tenant was created; the demo's partners accepted them months ago, so they date from before that."""
        first = min(dt.datetime.fromisoformat(affiliate.evaluation["acceptance"]["at"])
                    for affiliate in self.partners.values())
        effective = first.astimezone(RIYADH).date() - dt.timedelta(days=30)
        fresh = [policy for policy in self.policies if policy.effective_from > effective
                 and not PolicyAcceptance.objects.filter(policy=policy).exists()]
        if fresh:
            Policy.objects.filter(pk__in=[policy.pk for policy in fresh]).update(effective_from=effective)
            backdate(Policy, {policy.pk: riyadh(effective - dt.timedelta(days=7), 10) for policy in fresh})

    # --- the customers' payments ----------------------------------------------------------------------
    def customer_payments(self, key: str) -> None:
        """Monthly payments since activation, each on its monthly anniversary, recorded by billing a little
        after the money arrived. The first covers the first month and the one-off add-ons."""
        rng, customer, deal = self.rng, self.crm.customers[key], self.crm.deals[key]
        activated = customer.activated_at
        one_off = deal.value - self.crm.subscription_value[key]
        made = []
        start = activated.astimezone(RIYADH).date()
        for month in range(24):
            if month == 0:
                paid_at = later(rng, activated, self.now, min_minutes=45, max_minutes=60 * 20)
            else:
                day = add_months(start.replace(day=1), month)
                day = day.replace(day=min(start.day, _days_in(day)))
                paid_at = riyadh(day, 10, rng.randrange(0, 50))
            if paid_at >= self.now:
                break
            payment = Payment(customer=customer, period=month_of(paid_at if month else activated),
                              amount=customer.monthly_amount + (one_off if month == 0 else 0), currency=deal.currency,
                              status=PaymentStatus.CONFIRMED, paid_at=paid_at,
                              reference=f"INV-{paid_at.astimezone(RIYADH):%Y%m}-{rng.randrange(1000, 9999)}")
            self.batch.add(payment, min(paid_at + dt.timedelta(minutes=rng.randint(2, 30)), self.now))
            made.append(payment)
        self.payments[key] = made

    # --- attributions and commissions -----------------------------------------------------------------
    def attribution(self, affiliate: Affiliate, key: str) -> None:
        """Registered when the lead arrived: a lead whose consent came from the web form came through the
        partner's link (`?ref=`); the others the partner registered in the portal, having talked to them."""
        lead, deal, story = self.crm.leads[key], self.crm.deals.get(key), self.crm.stories[key]
        at = self.crm.lead_created[lead.pk]
        portal = not story["consent"].startswith("web")
        row = AffiliateDeal(affiliate=affiliate, lead=lead, status=AttributionStatus.PENDING, attributed_at=at,
                            expires_at=window_end(at, in_negotiation=deal is not None
                                                  and deal.stage == DealStage.NEGOTIATION),
                            source=AttributionSource.PORTAL if portal else AttributionSource.FORM,
                            direct_interaction=portal, share_percent=Decimal("100.00"))
        if deal is not None and deal.stage == DealStage.CLOSED_WON:
            # `attributions_for_won_deal`: linked to the deal and confirmed, the whole value attributed.
            row.status, row.deal, row.attributed_revenue = AttributionStatus.CONFIRMED, deal, money(deal.value)
        self.batch.add(row, at, deal.closed_at if row.deal_id else at)
        self.attributions[key] = row

    def deal_commission(self, key: str) -> None:
        """What `commissions_for_won_deal` writes when the deal closes: pending, priced at the tier the
        month has reached so far, held when the partner is suspended; the first payment is recorded after
        the close, so the basis names none yet."""
        deal, customer, row = self.crm.deals[key], self.crm.customers[key], self.attributions[key]
        affiliate = row.affiliate
        period = month_of(deal.closed_at)
        deals_in_month = 1 + sum(1 for other in self.commissions.values()
                                 if other.affiliate is affiliate and other.period == period)
        tier = tier_for(deals_in_month, self.rules)
        rate, rate_basis = _rate_for(affiliate, tier=tier, plan=deal.plan)
        revenue = money(deal.value)
        amount = money(row.attributed_revenue * rate / 100)
        ends = customer.activated_at + dt.timedelta(days=self.rules.guarantee_days)
        basis = {
            "v": BASIS_VERSION, "kind": CommissionKind.DEAL, "deal_id": str(deal.pk), "deal_title": deal.title,
            "attribution_id": str(row.pk), "customer_id": str(customer.pk), "revenue": str(revenue),
            "share_percent": str(row.share_percent), "attributed_revenue": str(row.attributed_revenue),
            "plan": deal.plan, "tier": tier, "deals_in_month": deals_in_month,
            "tier_from": int(self.rules.tier_thresholds.get(tier, 0)), **rate_basis, "amount": str(amount),
            "period": period.isoformat(), "guarantee_ends": _iso(ends), "payment_id": None,
        }
        hold = _automatic_hold(affiliate, self.rules)
        commission = Commission(affiliate=affiliate, deal=deal, kind=CommissionKind.DEAL, amount=amount,
                                currency=deal.currency, rate=rate, period=period, basis=basis,
                                status=CommissionStatus.PENDING, held=bool(hold), hold_reason=hold)
        row.commission_amount = amount
        self.batch.add(commission, deal.closed_at + dt.timedelta(seconds=2))
        self.commissions[key] = commission

    def self_referral_signal(self) -> None:
        """The fraud check on the suspended partner's lead when it arrived (`affiliates.fraud`): their own
        mobile number is on it. A manager suspended them pending review before the deal closed, so its
        commission was created held; the signal still waits for its review."""
        affiliate = self.partners["majed"]
        key = next(key for key, story in self.crm.stories.items() if story.get("affiliate") == "suspended")
        lead = self.crm.leads[key]
        raised = self.crm.lead_created[lead.pk] + dt.timedelta(seconds=5)
        phone = normalise_phone(affiliate.phone) or affiliate.phone
        self.batch.add(RiskSignal(affiliate=affiliate, kind=RiskSignalKind.SELF_REFERRAL, lead=lead,
                                  points=SIGNAL_POINTS[RiskSignalKind.SELF_REFERRAL],
                                  evidence={"matched_on": ["phone"], "values": {"phone": [phone]}}), raised)
        affiliate.risk_score = SIGNAL_POINTS[RiskSignalKind.SELF_REFERRAL]
        suspended = later(self.rng, raised, self.now, min_minutes=90, max_minutes=60 * 6)
        created, _updated = self.batch.stamps[Affiliate][affiliate.pk]
        self.batch.stamps[Affiliate][affiliate.pk] = (created, suspended)

    # --- approval, payout, dispute ---------------------------------------------------------------------
    def payout(self, affiliate: Affiliate) -> Payout:
        """Last month's batch, built on the 1st (`build_payouts`), sent the next working day and completed
        within the payout's business days."""
        batch_day = self.crm.batch_day
        built = riyadh(batch_day, 9, 10)
        processed = riyadh(add_working_days(working_day(batch_day, forward=True), 4), 11, 20)
        payout = Payout(affiliate=affiliate, amount=Decimal("0.00"), currency=self.rules.currency,
                        method=affiliate.payout_method, status=PayoutStatus.COMPLETED,
                        reference=f"PO-{batch_day:%Y%m}-0001", bank_name=affiliate.bank_name, iban=affiliate.iban,
                        period=batch_day, processed_at=processed)
        self.batch.add(payout, built, processed)
        return payout

    def settle(self, key: str, payout: Payout) -> None:
        """Where each commission stands now: a manager's approval once the guarantee window passed and the
        first payment was confirmed (`commission_approve` names that payment in the basis), the payout
        that paid it, the dispute that froze it."""
        commission, row, story = self.commissions[key], self.attributions[key], self.crm.stories[key]
        ends = dt.datetime.fromisoformat(commission.basis["guarantee_ends"])
        first = self.payments[key][0]
        created = self.batch.stamps[Commission][commission.pk][0]
        if commission.held:
            return
        if story.get("history") == "paid":
            if story["deal"]["closed"] == APPROVED_AFTER_BATCH:
                approved = riyadh(add_working_days(working_day(self.crm.batch_day, forward=True), 2), 10,
                                  self.rng.randrange(0, 50))
            else:
                approved = min(max(business_time(self.rng, ends + dt.timedelta(days=2), 0), ends, first.paid_at),
                               self.now)
            commission.status, commission.approved_at, commission.approved_by = (
                CommissionStatus.APPROVED, approved, self.manager)
            commission.basis = {**commission.basis, "payment_id": str(first.pk)}
            updated = approved
            if approved < self.batch.stamps[Payout][payout.pk][0]:
                commission.status, commission.payout = CommissionStatus.PAID, payout
                payout.amount += commission.amount
                row.status = AttributionStatus.PAID
                updated = payout.processed_at
                self.batch.stamps[AffiliateDeal][row.pk] = (row.attributed_at, updated)
            self.batch.stamps[Commission][commission.pk] = (created, updated)
        elif story.get("commission") == "disputed":
            self.dispute(commission)

    def dispute(self, commission: Commission) -> None:
        """Opened by the partner a couple of working days ago (`dispute_open`): the commission frozen, the
        decision due within the service level."""
        opened = business_time(self.rng, self.now, 2)
        commission.status = CommissionStatus.DISPUTED
        created = self.batch.stamps[Commission][commission.pk][0]
        self.batch.stamps[Commission][commission.pk] = (created, opened)
        self.batch.add(Dispute(commission=commission, affiliate=commission.affiliate, type=DisputeType.COMMISSION,
                               status=DisputeStatus.OPEN, description=self.t(DISPUTE),
                               amount_frozen=commission.amount, due_at=_decision_due(opened)),
                       opened)

    # --- each completed month's figures -------------------------------------------------------------
    def performance(self) -> None:
        """The rows `compute_performance` writes on the 1st for the month just ended, for every month since
        the first partner joined: everyone in the programme that month, zeros included."""
        first = min(affiliate.approved_at for affiliate in self.partners.values() if affiliate.approved_at)
        period, last = month_of(first), add_months(month_of(self.now), -1)
        batch = Batch()
        while period <= last:
            figures = figures_for(period)
            _start, end = month_bounds(period)
            in_programme = Affiliate.objects.filter(
                Q(status__in=(*IN_PROGRAMME, AffiliateStatus.SUSPENDED), approved_at__lt=end)
                | Q(pk__in=list(figures)))
            for affiliate_id in in_programme.values_list("pk", flat=True):
                numbers = figures.get(affiliate_id, Figures())
                batch.add(AffiliatePerformance(affiliate_id=affiliate_id, period=period,
                                               **{name: getattr(numbers, name) for name in PERFORMANCE_FIELDS}),
                          riyadh(add_months(period, 1), 6, 0))
            period = add_months(period, 1)
        batch.save((AffiliatePerformance,))


def _iso(moment: dt.datetime) -> str:
    """A time in a JSON field as the services write it: `timezone.now()` and rows read back are in UTC."""
    return moment.astimezone(dt.timezone.utc).isoformat()


def _days_in(month_start: dt.date) -> int:
    return (add_months(month_start, 1) - dt.timedelta(days=1)).day


def _ip(rng: random.Random) -> str:
    """An address of a Saudi mobile or home network, for an application sent from the public page."""
    return f"{rng.choice([37, 46, 51, 94, 188])}.{rng.randrange(1, 255)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
