"""An affiliate's month in figures (RULES.md §6): the monthly performance rows, the leaderboard, progress
toward the next tier, the "eligible for hiring" flag and the weekly report email.

Months are calendar months in the tenant's time zone (Riyadh), named by their first day (`period`). The
figures are computed from the records themselves, so the leaderboard of the month in progress is always
current; `compute_performance` stores a month's figures as its AffiliatePerformance rows. Tiers are
recalculated by the commission engine's monthly run; here they are only read.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from affiliates.choices import AffiliateStatus, AttributionStatus, CommissionKind, CommissionStatus, Tier
from affiliates.models import Affiliate, AffiliateDeal, AffiliatePerformance, Commission
from affiliates.periods import add_months, local_zone, month_bounds, month_start as month_of  # noqa: F401 (used by jobs, views, fraud)
from crm.choices import DealStage
from dealix.accounts import roles
from dealix.accounts.models import User
from dealix.core.audit import audit_create, audit_update, snapshot
from dealix.core.notifications import NotificationType, channels_for, in_language_of, notify
from dealix.core.templatetags.dealix import sar
from dealix.tenancy.rules import current_rules

# Affiliates in the programme: they are ranked, reported to and counted.
IN_PROGRAMME = (AffiliateStatus.APPROVED, AffiliateStatus.ACTIVE)
# An attribution that won its lead (a later claim on someone else's lead is `rejected`).
OWNING = (AttributionStatus.PENDING, AttributionStatus.CONFIRMED, AttributionStatus.PAID, AttributionStatus.DISPUTED,
          AttributionStatus.EXPIRED)
# An attribution whose deal was won for the affiliate.
WON = (AttributionStatus.CONFIRMED, AttributionStatus.PAID, AttributionStatus.DISPUTED)
CENT = Decimal("0.01")
# Not a RULES.md number: how far back a run of paid months counts for the hiring flag. A person decides
# on recent work, not on a good quarter years ago.
HIRING_LOOKBACK_MONTHS = 12


# --- figures ---------------------------------------------------------------------------------------

@dataclass
class Figures:
    leads_generated: int = 0
    deals_closed: int = 0
    revenue_attributed: Decimal = Decimal("0.00")
    commission_earned: Decimal = Decimal("0.00")

    @property
    def conversion_rate(self) -> Decimal:
        """Deals closed per lead registered, in %. A deal of this month may come from a lead of an earlier
        one, so the rate is capped at 100."""
        if not self.leads_generated:
            return Decimal("0.00")
        rate = Decimal(self.deals_closed * 100) / Decimal(self.leads_generated)
        return min(rate, Decimal(100)).quantize(CENT, ROUND_HALF_UP)


def figures_for(period: datetime.date, *, affiliates=None) -> dict:
    """{affiliate_id: Figures} for the month, for affiliates with anything in it. `affiliates` narrows it
    (a queryset or ids). Three grouped queries, whatever the number of affiliates.

    leads generated: attributions registered in the month; deals closed: attributed deals won in the
    month (a split deal counts for each affiliate sharing it); revenue: their attributed revenue;
    commission earned: every commission of the period that is not cancelled (clawbacks count negative)."""
    start, end = month_bounds(period)
    attributions = AffiliateDeal.objects.all()
    commissions = Commission.objects.all()
    if affiliates is not None:
        attributions = attributions.filter(affiliate__in=affiliates)
        commissions = commissions.filter(affiliate__in=affiliates)
    found: dict = {}

    def row(affiliate_id) -> Figures:
        return found.setdefault(affiliate_id, Figures())

    leads = (attributions.filter(attributed_at__gte=start, attributed_at__lt=end, status__in=OWNING)
             .values("affiliate_id").annotate(count=Count("lead_id", distinct=True)))
    for item in leads:
        row(item["affiliate_id"]).leads_generated = item["count"]
    deals = (attributions.filter(status__in=WON, deal__stage=DealStage.CLOSED_WON, deal__closed_at__gte=start,
                                 deal__closed_at__lt=end)
             .values("affiliate_id").annotate(count=Count("deal_id", distinct=True), revenue=Sum("attributed_revenue")))
    for item in deals:
        figures = row(item["affiliate_id"])
        figures.deals_closed, figures.revenue_attributed = item["count"], (item["revenue"] or Decimal(0)).quantize(CENT)
    earned = (commissions.filter(period=period).exclude(status=CommissionStatus.CANCELLED)
              .values("affiliate_id").annotate(total=Sum("amount")))
    for item in earned:
        row(item["affiliate_id"]).commission_earned = (item["total"] or Decimal(0)).quantize(CENT)
    return found


PERFORMANCE_FIELDS = ("leads_generated", "deals_closed", "revenue_attributed", "commission_earned", "conversion_rate")


@transaction.atomic
def compute_performance(period=None) -> int:
    """Write each affiliate's figures for the month (by default the month that has just ended) into its
    AffiliatePerformance row: one row per affiliate in the programme that month, created or brought up to
    date. Running it again changes nothing. Returns how many rows were created or changed."""
    period = month_of(period) if period is not None else add_months(month_of(), -1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"affiliates.performance:{period}"])
    figures = figures_for(period)
    _start, end = month_bounds(period)
    # Everyone who was in the programme during the month gets a row, zeros included; anyone else only
    # if the month holds something of theirs (an affiliate terminated since still has the month they had).
    affiliates = Affiliate.objects.filter(
        Q(status__in=IN_PROGRAMME + (AffiliateStatus.SUSPENDED,), approved_at__lt=end) | Q(pk__in=list(figures)))
    existing = {row.affiliate_id: row for row in AffiliatePerformance.objects.filter(period=period)}
    written = 0
    for affiliate_id in affiliates.values_list("pk", flat=True):
        numbers = figures.get(affiliate_id, Figures())
        values = {name: getattr(numbers, name) for name in PERFORMANCE_FIELDS}
        row = existing.get(affiliate_id)
        if row is None:
            row = AffiliatePerformance(affiliate_id=affiliate_id, period=period, **values)
            row.full_clean()
            row.save()
            audit_create(actor=None, instance=row)
            written += 1
            continue
        if all(getattr(row, name) == value for name, value in values.items()):
            continue
        before = snapshot(row, list(PERFORMANCE_FIELDS))
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean()
        row.save(update_fields=[*PERFORMANCE_FIELDS, "updated_at"])
        audit_update(actor=None, instance=row, before=before)
        written += 1
    return written


# --- the leaderboard -------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeaderboardRow:
    """A line of the staff leaderboard."""
    rank: int
    affiliate: Affiliate
    figures: Figures

    @property
    def hiring_eligible(self) -> bool:
        return self.affiliate.hiring_eligible_at is not None


@dataclass(frozen=True)
class PortalLeaderboardRow:
    """A line of the leaderboard as affiliates see it: another affiliate is a first name and an initial,
    with no figure beyond the deals closed that rank them."""
    rank: int
    name: str
    tier: str
    deals_closed: int
    is_me: bool


def _sort_key(figures: Figures) -> tuple:
    return (-figures.deals_closed, -figures.revenue_attributed)


def _ranked(period: datetime.date) -> list[tuple[int, Affiliate, Figures]]:
    """Every affiliate in the programme with the month's figures, best first: by deals closed, then
    revenue; equal figures share a rank (1, 2, 2, 4)."""
    affiliates = list(Affiliate.objects.filter(status__in=IN_PROGRAMME))
    figures = figures_for(period, affiliates=[affiliate.pk for affiliate in affiliates])
    rows = sorted(((affiliate, figures.get(affiliate.pk, Figures())) for affiliate in affiliates),
                  key=lambda pair: (_sort_key(pair[1]), pair[0].full_name))
    ranked, rank, previous = [], 0, None
    for position, (affiliate, numbers) in enumerate(rows, start=1):
        if _sort_key(numbers) != previous:
            rank, previous = position, _sort_key(numbers)
        ranked.append((rank, affiliate, numbers))
    return ranked


def leaderboard(period=None, limit: int = 20) -> list[LeaderboardRow]:
    """The staff leaderboard of the month (by default the current one): the top `limit` affiliates."""
    period = month_of(period)
    return [LeaderboardRow(rank, affiliate, figures) for rank, affiliate, figures in _ranked(period)[:limit]]


def portal_leaderboard(affiliate: Affiliate, period=None, limit: int = 10) -> list[PortalLeaderboardRow]:
    """The leaderboard an affiliate may see: the top `limit`, names shortened, plus their own line when
    they are below the top."""
    period = month_of(period)
    rows = []
    for rank, other, figures in _ranked(period):
        is_me = other.pk == affiliate.pk
        if len(rows) < limit or is_me:
            rows.append(PortalLeaderboardRow(rank, other.full_name if is_me else short_name(other.full_name),
                                             other.get_tier_display(), figures.deals_closed, is_me))
        if len(rows) >= limit and any(row.is_me for row in rows):
            break
    return rows


def rank_of(affiliate: Affiliate, period=None) -> int | None:
    """The affiliate's place on the month's leaderboard, or None when they are not on it (not in the
    programme). Counts only who is ahead, so it does not load the whole programme."""
    if affiliate.status not in IN_PROGRAMME:
        return None
    period = month_of(period)
    figures = figures_for(period, affiliates=Affiliate.objects.filter(status__in=IN_PROGRAMME).values("pk"))
    mine = _sort_key(figures.get(affiliate.pk, Figures()))
    return 1 + sum(1 for numbers in figures.values() if _sort_key(numbers) < mine)


# Arabic compound first names ("عبد الله") and the article of a family name ("القحطاني", "Al-Harbi").
_NAME_PREFIXES = ("عبد", "ابو", "أبو", "abd", "abdul", "abu")
_ARTICLES = ("ال", "al-", "el-")


def short_name(full_name: str) -> str:
    """"Noura Al-Harbi" → "Noura H.", "نورة القحطاني" → "نورة ق.", "عبد الله الشهري" → "عبد الله ش."."""
    words = (full_name or "").split()
    if not words:
        return ""
    first_count = 2 if len(words) > 2 and words[0].lower() in _NAME_PREFIXES else 1
    first, rest = " ".join(words[:first_count]), words[first_count:]
    if not rest:
        return first
    family = rest[-1]
    for article in _ARTICLES:
        if family.lower().startswith(article) and len(family) > len(article) + 1:
            family = family[len(article):]
            break
    return f"{first} {family[0].upper()}."


# --- tiers -----------------------------------------------------------------------------------------

def _tiers_by_threshold() -> list[tuple[int, str]]:
    return sorted((int(minimum), tier) for tier, minimum in current_rules().tier_thresholds.items())


def deals_for_tier(affiliate: Affiliate, period=None) -> int:
    """The month's deals that count for the tier, as the commission engine counts them (deals with a
    deal commission that was not cancelled: a trial, which earns none, does not count)."""
    from affiliates.commissions import month_deal_count
    return month_deal_count(affiliate, month_of(period))


def tier_progress(affiliate: Affiliate, now=None) -> dict:
    """Where the affiliate stands this month: `tier` (their tier now, set by the monthly run),
    `deals_closed` this month, `month_tier` (the tier those deals earn), `next_tier` and `deals_needed`
    to reach it (None at the top), `percent` toward it, and `text` saying so in the active language."""
    from affiliates.commissions import tier_for
    period = month_of(now)
    deals = deals_for_tier(affiliate, period)
    month_tier = tier_for(deals)
    labels = dict(Tier.choices)
    above = [(minimum, tier) for minimum, tier in _tiers_by_threshold() if minimum > deals]
    progress = {
        "period": period, "tier": affiliate.tier, "tier_label": labels.get(affiliate.tier, affiliate.tier),
        "deals_closed": deals, "month_tier": month_tier, "month_tier_label": labels.get(month_tier, month_tier),
        "next_tier": None, "next_tier_label": "", "next_tier_at": None, "deals_needed": 0, "percent": 100,
    }
    if above:
        minimum, tier = above[0]
        floor = max((low for low, _tier in _tiers_by_threshold() if low <= deals), default=0)
        progress.update(next_tier=tier, next_tier_label=labels.get(tier, tier), next_tier_at=minimum,
                        deals_needed=minimum - deals,
                        percent=int(100 * (deals - floor) / (minimum - floor)) if minimum > floor else 0)
    progress["text"] = tier_progress_text(progress)
    return progress


def tier_progress_text(progress: dict) -> str:
    values = {"deals": progress["deals_closed"], "tier": progress["month_tier_label"],
              "needed": progress["deals_needed"], "next": progress["next_tier_label"]}
    if progress["next_tier"] is None:
        return _("%(deals)s deals closed this month: %(tier)s, the top tier.") % values
    if progress["deals_needed"] == 1:
        return _("%(deals)s deals closed this month (%(tier)s): 1 more deal to reach %(next)s.") % values
    return _("%(deals)s deals closed this month (%(tier)s): %(needed)s more deals to reach %(next)s.") % values


# --- eligible for hiring ---------------------------------------------------------------------------

def reviewers() -> list[User]:
    """The people who act on the programme's alerts: everyone active who may approve commissions."""
    deciding = [role for role, capabilities in roles.CAPABILITIES.items() if roles.COMMISSIONS_APPROVE in capabilities]
    people = User.objects.filter(Q(role__in=deciding) | Q(is_superuser=True), is_active=True).order_by("full_name")
    return [user for user in people if roles.can(user, roles.COMMISSIONS_APPROVE)]


def _consecutive_run(periods: set[datetime.date], length: int) -> list[datetime.date] | None:
    """The latest run of `length` consecutive months within `periods`, oldest first."""
    for end in sorted(periods, reverse=True):
        run = [add_months(end, -offset) for offset in range(length)]
        if all(month in periods for month in run):
            return list(reversed(run))
    return None


def hiring_check(now=None) -> int:
    """Flag the affiliates who had at least `hiring_paid_deals_per_month` paid deals (deal commissions
    paid, by their month) in each of `hiring_consecutive_months` consecutive months: `hiring_eligible_at`
    is set, audited, and the reviewers are told. Nothing else happens: a person decides (RULES.md §6).
    Returns how many were flagged now; an affiliate is flagged once."""
    rules = current_rules()
    now = now or timezone.now()
    since = add_months(month_of(now), -HIRING_LOOKBACK_MONTHS)
    months = (Commission.objects.filter(kind=CommissionKind.DEAL, status=CommissionStatus.PAID, period__gte=since,
                                        affiliate__hiring_eligible_at__isnull=True,
                                        affiliate__status__in=IN_PROGRAMME)
              .values("affiliate_id", "period").annotate(deals=Count("deal_id", distinct=True))
              .filter(deals__gte=rules.hiring_paid_deals_per_month))
    by_affiliate: dict = {}
    for item in months:
        by_affiliate.setdefault(item["affiliate_id"], {})[item["period"]] = item["deals"]
    flagged = 0
    for affiliate_id, counts in by_affiliate.items():
        run = _consecutive_run(set(counts), rules.hiring_consecutive_months)
        if run and _flag_for_hiring(affiliate_id, [(month, counts[month]) for month in run], now=now):
            flagged += 1
    return flagged


@transaction.atomic
def _flag_for_hiring(affiliate_id, months: list[tuple[datetime.date, int]], *, now) -> bool:
    affiliate = Affiliate.objects.select_for_update().get(pk=affiliate_id)
    if affiliate.hiring_eligible_at is not None:
        return False
    before = snapshot(affiliate, ["hiring_eligible_at"])
    affiliate.hiring_eligible_at = now
    affiliate.save(update_fields=["hiring_eligible_at", "updated_at"])
    audit_update(actor=None, instance=affiliate, before=before)
    link = reverse("affiliates:leaderboard")
    for user in reviewers():
        with in_language_of(user):
            title = _("%(name)s is eligible for hiring") % {"name": affiliate.full_name}
            lines = [_("Paid deals in %(count)s consecutive months:") % {"count": len(months)}]
            lines += ["• " + _("%(month)s: %(deals)s paid deals") % {
                "month": formats.date_format(month, "YEAR_MONTH_FORMAT"), "deals": deals} for month, deals in months]
            body = "\n".join(lines) + "\n\n" + _("Nothing changes automatically: a person decides whether to offer a job.")
        notify(user=user, type=NotificationType.AFFILIATE_ALERT, title=title, body=body, url=link)
    return True


# --- the weekly report -----------------------------------------------------------------------------

def report_week(now=None) -> tuple[datetime.date, datetime.date]:
    """The week a report sent now covers: the last full week, Sunday to Saturday in the tenant's time zone
    (the Saudi week), as (first day, last day). Its first day names the report."""
    local = (now or timezone.now()).astimezone(local_zone()).date()
    this_sunday = local - datetime.timedelta(days=(local.weekday() + 1) % 7)
    start = this_sunday - datetime.timedelta(days=7)
    return start, this_sunday - datetime.timedelta(days=1)


def send_weekly_reports(now_iso: str | None = None) -> int:
    """Email each affiliate in the programme their week, in their language: new referrals, deals closed,
    commissions by status and progress toward the next tier. Once per affiliate per week: the report is a
    notification whose link names the week, and an advisory lock keeps two runs from both sending.
    Returns how many were sent."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    first, last = report_week(now)
    zone = local_zone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    end = start + datetime.timedelta(days=7)
    link = f"{reverse('affiliates:portal')}?week={first.isoformat()}"
    sent = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                           [f"affiliates.weekly_report:{connection.schema_name}"])
        done = set(_sent_reports(link))
        affiliates = (Affiliate.objects.filter(status__in=IN_PROGRAMME, user__is_active=True)
                      .exclude(user_id__in=done).select_related("user").order_by("full_name"))
        for affiliate in affiliates:
            user = affiliate.user
            if not channels_for(user, NotificationType.AFFILIATE_WEEKLY_REPORT):
                continue
            week = _week_of(affiliate, start, end)
            with in_language_of(user):
                title, body = _report_text(affiliate, week, first, last, now)
            notify(user=user, type=NotificationType.AFFILIATE_WEEKLY_REPORT, title=title, body=body, url=link)
            sent += 1
    return sent


def _sent_reports(link: str):
    from dealix.core.models import Notification
    return Notification.objects.filter(type=NotificationType.AFFILIATE_WEEKLY_REPORT, url=link).values_list(
        "user_id", flat=True)


def _week_of(affiliate: Affiliate, start, end) -> dict:
    attributions = AffiliateDeal.objects.filter(affiliate=affiliate)
    won = (attributions.filter(status__in=WON, deal__stage=DealStage.CLOSED_WON, deal__closed_at__gte=start,
                               deal__closed_at__lt=end)
           .aggregate(count=Count("deal_id", distinct=True), revenue=Sum("attributed_revenue")))
    commissions = {item["status"]: item for item in Commission.objects.filter(affiliate=affiliate)
                   .values("status").annotate(count=Count("pk"), total=Sum("amount"))}
    return {
        "leads": attributions.filter(attributed_at__gte=start, attributed_at__lt=end, status__in=OWNING)
                             .values("lead_id").distinct().count(),
        "deals": won["count"] or 0, "revenue": won["revenue"] or Decimal(0), "commissions": commissions,
    }


REPORTED_STATUSES = (CommissionStatus.PENDING, CommissionStatus.APPROVED, CommissionStatus.DISPUTED,
                     CommissionStatus.PAID)


def _report_text(affiliate: Affiliate, week: dict, first, last, now) -> tuple[str, str]:
    """Title and body in the active language; sections are a heading line and "• " items (the email's
    HTML part turns them into lists)."""
    dates = {"first": formats.date_format(first, "j M"), "last": formats.date_format(last, "j M Y")}
    title = _("Your partner week, %(first)s – %(last)s") % dates
    week_lines = [
        _("This week"),
        "• " + _("New referrals: %(count)s") % {"count": week["leads"]},
        "• " + _("Deals closed: %(count)s (revenue %(revenue)s)") % {"count": week["deals"],
                                                                      "revenue": sar(week["revenue"])},
    ]
    labels = {
        CommissionStatus.PENDING: _("Pending (waiting for the guarantee window and payment)"),
        CommissionStatus.APPROVED: _("Approved, to be paid in the next payout"),
        CommissionStatus.DISPUTED: _("Disputed"),
        CommissionStatus.PAID: _("Paid so far"),
    }
    commission_lines = [_("Your commissions")]
    for status in REPORTED_STATUSES:
        item = week["commissions"].get(status, {})
        commission_lines.append("• " + _("%(status)s: %(amount)s (%(count)s)") % {
            "status": labels[status], "amount": sar(item.get("total") or Decimal(0)), "count": item.get("count", 0)})
    held = Commission.objects.filter(affiliate=affiliate, held=True,
                                     status__in=[CommissionStatus.PENDING, CommissionStatus.APPROVED]).count()
    if held:
        commission_lines.append("• " + _("On hold for a review: %(count)s") % {"count": held})
    progress = tier_progress(affiliate, now=now)
    tier_lines = [_("Your tier: %(tier)s") % {"tier": progress["tier_label"]}, "• " + progress["text"]]
    return title, "\n\n".join("\n".join(lines) for lines in (week_lines, commission_lines, tier_lines))
