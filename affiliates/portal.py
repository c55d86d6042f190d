"""The partner portal's reads, and the one write the portal owns: the affiliate's payout details.

Every selector takes the affiliate resolved from the logged-in user (`portal_access(user)`), never an id
from the request, so another affiliate's rows cannot be reached by editing a URL: a record that is not
theirs is simply absent (a 404 upstream). What an affiliate sees of a lead is limited to what they
registered or the lead form captured (RULES.md §9): name, company, a coarse stage and the date, and the
phone and email only of the leads they registered themselves — never an agent's notes, a deal's value,
or anyone else's share."""
from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from decimal import Decimal

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _, gettext_lazy

from affiliates.applications import active_policies, affiliate_for_user
from affiliates.choices import (AffiliateStatus, AttributionSource, AttributionStatus, CommissionStatus,
                                DisputeStatus, PayoutMethod)
from affiliates.commissions import basis_lines
from affiliates.disputes import appeal_deadline
from affiliates.models import Affiliate, AffiliateDeal, Commission, Dispute, Payout, PolicyAcceptance
from affiliates.payouts import payable_commissions
from affiliates.periods import next_month
from crm.choices import DealStage, LeadStatus
from crm.models import Deal
from dealix.core.audit import audit_update, snapshot
from dealix.core.iban import normalise_iban
from dealix.core.templatetags.dealix import sar
from dealix.tenancy.rules import current_rules

PER_PAGE = 25
# An affiliate in these states uses the whole portal; a suspended one reads it but changes nothing.
FULL_ACCESS = (AffiliateStatus.APPROVED, AffiliateStatus.ACTIVE)
READ_ONLY = (AffiliateStatus.SUSPENDED,)
PAYOUT_FIELDS = ("payout_method", "bank_name", "iban", "wallet_account")


# --- who is looking ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PortalAccess:
    """What the logged-in user may do in the portal: `affiliate` is None for a user with no partnership
    row; `can_read` is False for an applicant or a terminated partner; `can_write` is False while
    suspended. `reason` is the status reason a manager wrote (shown to a suspended or terminated one)."""
    affiliate: Affiliate | None
    can_read: bool
    can_write: bool

    @property
    def reason(self) -> str:
        return self.affiliate.status_reason if self.affiliate else ""

    @property
    def status(self) -> str:
        return self.affiliate.status if self.affiliate else ""


def portal_access(user) -> PortalAccess:
    affiliate = affiliate_for_user(user)
    if affiliate is None:
        return PortalAccess(affiliate=None, can_read=False, can_write=False)
    return PortalAccess(affiliate=affiliate, can_read=affiliate.status in FULL_ACCESS + READ_ONLY,
                        can_write=affiliate.status in FULL_ACCESS)


# --- the referral link -----------------------------------------------------------------------------

def referral_path(affiliate: Affiliate) -> str:
    """The tenant's public lead form carrying the affiliate's code (RULES.md §6: `?ref=CODE`)."""
    return f"{reverse('crm_public:lead_form')}?ref={affiliate.referral_code}"


@functools.lru_cache(maxsize=512)
def qr_svg(url: str, title: str = "") -> str:
    """An inline SVG QR code of `url`, scalable (viewBox, no fixed size), dark on white so it scans in
    dark mode too. Cached: the same link is drawn on every visit to the portal home."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True, dark="#000", light="#fff",
                                                 title=title or None, svgclass="portal-qr", lineclass=None)


# --- referrals -------------------------------------------------------------------------------------

class ReferralStage(models.TextChoices):
    """A lead's progress in words an affiliate can act on, without the sales team's internal stages."""
    NEW = "new", gettext_lazy("New")
    IN_PROGRESS = "in_progress", gettext_lazy("In progress")
    WON = "won", gettext_lazy("Won")
    LOST = "lost", gettext_lazy("Lost")
    EXPIRED = "expired", gettext_lazy("Attribution expired")


@dataclass(frozen=True)
class Referral:
    name: str
    company: str
    stage: str
    stage_label: str
    registered_at: dt.datetime
    expires_at: dt.datetime
    source_label: str
    # Only for leads the affiliate registered themselves: they typed these in.
    phone: str
    email: str


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str
    is_first: bool


# Attributions that make a lead "theirs" to see: a claim that lost to another affiliate is not shown.
_SHOWN_ATTRIBUTIONS = (AttributionStatus.PENDING, AttributionStatus.CONFIRMED, AttributionStatus.PAID,
                       AttributionStatus.DISPUTED, AttributionStatus.EXPIRED)


def _stage(lead_status: str, attribution_status: str, won: bool, open_deal: bool) -> str:
    if won:
        return ReferralStage.WON
    if attribution_status == AttributionStatus.EXPIRED:
        return ReferralStage.EXPIRED
    if lead_status == LeadStatus.NEW:
        return ReferralStage.NEW
    if lead_status == LeadStatus.LOST or (lead_status == LeadStatus.CONVERTED and not open_deal):
        return ReferralStage.LOST
    return ReferralStage.IN_PROGRESS


def _encode_cursor(moment: dt.datetime, pk) -> str:
    return f"{moment.isoformat()}~{pk}"


def _decode_cursor(cursor: str) -> tuple[dt.datetime, str] | None:
    moment, _sep, pk = (cursor or "").partition("~")
    try:
        parsed = parse_datetime(moment)
        return (parsed, str(uuid.UUID(pk))) if parsed else None
    except ValueError:
        return None


def _keyset(queryset, field: str, cursor: str, per_page: int) -> tuple[list, str]:
    """Newest first by `field` then id, `per_page` rows after `cursor`: as fast on page 200 as on page 1."""
    after = _decode_cursor(cursor)
    if after is not None:
        moment, pk = after
        queryset = queryset.filter(Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk}))
    rows = list(queryset.order_by(f"-{field}", "-pk")[:per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (_encode_cursor(getattr(rows[-1], field), rows[-1].pk) if more else "")


def referrals_of(affiliate: Affiliate):
    return AffiliateDeal.objects.filter(affiliate=affiliate, status__in=_SHOWN_ATTRIBUTIONS)


def referral_page(affiliate: Affiliate, *, cursor: str = "", per_page: int = PER_PAGE) -> Page:
    won = Deal.objects.filter(lead=OuterRef("lead_id"), stage=DealStage.CLOSED_WON)
    open_deal = Deal.objects.filter(lead=OuterRef("lead_id")).exclude(stage__in=(DealStage.CLOSED_WON,
                                                                                 DealStage.CLOSED_LOST))
    queryset = (referrals_of(affiliate)
                .select_related("lead")
                .only("attributed_at", "expires_at", "status", "source", "lead__full_name", "lead__company_name",
                      "lead__status", "lead__phone", "lead__email")
                .annotate(won=Exists(won), open_deal=Exists(open_deal)))
    rows, next_cursor = _keyset(queryset, "attributed_at", cursor, per_page)
    sources = dict(AttributionSource.choices)
    referrals = []
    for row in rows:
        stage = _stage(row.lead.status, row.status, row.won, row.open_deal)
        registered = row.source == AttributionSource.PORTAL
        referrals.append(Referral(
            name=row.lead.full_name, company=row.lead.company_name, stage=stage,
            stage_label=ReferralStage(stage).label, registered_at=row.attributed_at, expires_at=row.expires_at,
            source_label=sources.get(row.source, row.source),
            phone=row.lead.phone if registered else "", email=row.lead.email if registered else ""))
    return Page(rows=referrals, next_cursor=next_cursor, is_first=not cursor)


def referral_count(affiliate: Affiliate) -> int:
    return referrals_of(affiliate).count()


# --- commissions -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusTotal:
    status: str
    label: str
    count: int
    total: Decimal


def commissions_of(affiliate: Affiliate):
    return Commission.objects.filter(affiliate=affiliate)


def commission_totals(affiliate: Affiliate) -> list[StatusTotal]:
    """Each status with its count and sum, zeros included, in the order a commission moves."""
    found = {row["status"]: row for row in commissions_of(affiliate).order_by().values("status")
             .annotate(count=Count("id"), total=Sum("amount"))}
    return [StatusTotal(status=value, label=label, count=found.get(value, {}).get("count", 0),
                        total=found.get(value, {}).get("total") or Decimal("0.00"))
            for value, label in CommissionStatus.choices]


def commission_page(affiliate: Affiliate, *, status: str = "", cursor: str = "", per_page: int = PER_PAGE) -> Page:
    queryset = commissions_of(affiliate).select_related("deal__lead", "payout").only(
        "kind", "amount", "currency", "rate", "status", "held", "hold_reason", "period", "basis", "created_at",
        "approved_at", "reverses_id", "deal_id", "payout__status", "payout__period", "deal__title", "deal__plan",
        "deal__lead__full_name")
    if status in CommissionStatus.values:
        queryset = queryset.filter(status=status)
    rows, next_cursor = _keyset(queryset, "created_at", cursor, per_page)
    return Page(rows=rows, next_cursor=next_cursor, is_first=not cursor)


def commission_of(affiliate: Affiliate, pk) -> Commission:
    """One of the affiliate's commissions, or DoesNotExist (another affiliate's is absent, not forbidden)."""
    return commissions_of(affiliate).select_related("deal__lead").get(pk=pk)


def basis_text(commission: Commission, known=None) -> str:
    """How the commission was computed, in the reader's language: the engine's own explanation. A page
    of commissions passes `known` (commissions.Known) so the explanations ask nothing more per row."""
    return " ".join(basis_lines(commission, known))


# --- payouts ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PayoutEstimate:
    amount: Decimal
    minimum: Decimal
    computed_on: dt.date
    paid_within_business_days: int
    carries_over: bool
    # Why the batch would skip them even above the minimum: their payout details are incomplete.
    missing_details: bool


def next_payout_estimate(affiliate: Affiliate, today: dt.date | None = None) -> PayoutEstimate:
    """What next month's batch would pay, as the batch itself counts it (`payable_commissions`): approved
    commissions not held and not in a payout, clawbacks deducted; a disputed amount is frozen, so not
    in it. Under the minimum it carries over."""
    rules = current_rules()
    computed_on = next_month(today or timezone.localdate())
    amount = (payable_commissions(computed_on).filter(affiliate=affiliate).order_by()
              .aggregate(total=Sum("amount"))["total"]) or Decimal("0.00")
    missing = ((affiliate.payout_method == PayoutMethod.BANK_TRANSFER and not affiliate.iban)
               or (affiliate.payout_method == PayoutMethod.WALLET and not affiliate.wallet_account.strip()))
    return PayoutEstimate(amount=amount, minimum=rules.payout_minimum, computed_on=computed_on,
                          paid_within_business_days=rules.payout_within_business_days,
                          carries_over=amount < rules.payout_minimum, missing_details=missing)


def payouts_of(affiliate: Affiliate):
    return Payout.objects.filter(affiliate=affiliate).order_by("-created_at")


def statement_periods(affiliate: Affiliate, limit: int = 24) -> list[dt.date]:
    """The months the affiliate has a statement for: any month with a commission or a payout."""
    months = set(commissions_of(affiliate).order_by("-period").values_list("period", flat=True).distinct()[:limit])
    months |= set(payouts_of(affiliate).exclude(period=None).order_by("-period").values_list("period", flat=True)
                  .distinct()[:limit])
    return sorted({month.replace(day=1) for month in months}, reverse=True)[:limit]


@transaction.atomic
def payout_details_update(*, actor, affiliate: Affiliate, data: dict) -> Affiliate:
    """The affiliate sets where they are paid (RULES.md §6): a bank transfer needs a valid Saudi IBAN, a
    wallet its account; a cheque needs neither. Only the affiliate themselves, and not while suspended."""
    if actor is None or affiliate.user_id != actor.pk:
        raise PermissionDenied("payout details are changed by the affiliate")
    affiliate = Affiliate.objects.select_for_update().get(pk=affiliate.pk)
    if affiliate.status not in FULL_ACCESS:
        raise ValidationError(_("Your partnership is not active, so your payout details cannot be changed now."),
                              code="not_active")
    before = snapshot(affiliate, list(PAYOUT_FIELDS))
    method = data.get("payout_method") or PayoutMethod.BANK_TRANSFER
    affiliate.payout_method = method
    affiliate.bank_name = (data.get("bank_name") or "").strip()
    affiliate.iban = normalise_iban(data.get("iban") or "")
    affiliate.wallet_account = (data.get("wallet_account") or "").strip()
    errors = {}
    if method == PayoutMethod.BANK_TRANSFER and not affiliate.iban:
        errors["iban"] = _("A bank transfer needs your IBAN.")
    if method == PayoutMethod.WALLET and not affiliate.wallet_account:
        errors["wallet_account"] = _("A wallet payout needs your wallet account.")
    if errors:
        raise ValidationError(errors)
    exclude = [field.name for field in Affiliate._meta.concrete_fields if field.name not in PAYOUT_FIELDS]
    affiliate.full_clean(exclude=exclude, validate_unique=False)
    affiliate.save(update_fields=[*PAYOUT_FIELDS, "updated_at"])
    audit_update(actor=actor, instance=affiliate, before=before)
    return affiliate


# --- disputes and policies -------------------------------------------------------------------------

def disputes_of(affiliate: Affiliate):
    return (Dispute.objects.filter(affiliate=affiliate).select_related("commission", "appeal_of", "attribution",
                                                                     "attribution__lead")
            .order_by("-created_at"))


def dispute_of(affiliate: Affiliate, pk) -> Dispute:
    return disputes_of(affiliate).get(pk=pk)


def appeal_until(dispute: Dispute, now: dt.datetime | None = None) -> dt.datetime | None:
    """Until when this dispute may still be appealed, or None: once, of a decided dispute that is not
    itself an appeal, within the appeal window (the disputes service checks all of it again)."""
    if dispute.appeal_of_id is not None or dispute.status not in (DisputeStatus.RESOLVED, DisputeStatus.CLOSED):
        return None
    deadline = appeal_deadline(dispute)
    if deadline is None or deadline < (now or timezone.now()) or Dispute.objects.filter(appeal_of=dispute).exists():
        return None
    return deadline


def disputable_commissions(affiliate: Affiliate, limit: int = 100):
    """The commissions a dispute may name: the affiliate's own, newest first, not already disputed."""
    return (commissions_of(affiliate).exclude(status__in=(CommissionStatus.DISPUTED, CommissionStatus.CANCELLED))
            .select_related("deal__lead").order_by("-created_at")[:limit])


@dataclass(frozen=True)
class PolicyState:
    policy: object
    accepted_at: dt.datetime | None


def policy_states(affiliate: Affiliate) -> list[PolicyState]:
    policies = list(active_policies())
    accepted = dict(PolicyAcceptance.objects.filter(affiliate=affiliate, policy__in=policies)
                    .values_list("policy_id", "accepted_at"))
    return [PolicyState(policy=policy, accepted_at=accepted.get(policy.pk)) for policy in policies]


def commission_label(commission: Commission) -> str:
    """A commission named the way the affiliate knows it: month, kind, the referral, the amount."""
    lead = getattr(getattr(commission, "deal", None), "lead", None)
    parts = [f"{commission.period:%Y-%m}", commission.get_kind_display()]
    if lead is not None:
        parts.append(lead.full_name)
    parts.append(sar(commission.amount))
    return " · ".join(str(part) for part in parts)
