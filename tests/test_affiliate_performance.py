"""The affiliate programme's months in figures (RULES.md §6): the monthly performance rows, the
leaderboard (full names for staff, "first name + initial" for partners), progress toward the next tier,
the "eligible for hiring" flag, and the weekly report email in each partner's language."""
import datetime as dt
from decimal import Decimal

import django_rq
import pytest
from django.utils import timezone
from rq import SimpleWorker

from affiliates import jobs, performance
from affiliates.choices import AffiliateStatus, AttributionSource, AttributionStatus, CommissionKind, CommissionStatus
from affiliates.models import Affiliate, AffiliateDeal, AffiliatePerformance, Commission, Payout
from crm.choices import CustomerPlan, DealStage
from crm.models import Deal, Lead
from dealix.accounts.models import User
from dealix.core.models import AuditLog, Notification
from tests import factories
from tests.conftest import user_of
from tests.servers import smtp_server  # noqa: F401  (pytest fixture)

pytestmark = pytest.mark.django_db

RIYADH = dt.timezone(dt.timedelta(hours=3))
LAST_MONTH = factories.month_start(1)


def riyadh(period: dt.date, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(period.year, period.month, day, hour, tzinfo=RIYADH)


def partner(name: str, **fields) -> Affiliate:
    fields.setdefault("approved_at", timezone.now() - dt.timedelta(days=400))
    return factories.AffiliateFactory(full_name=name, language="en", **fields)


def referral(affiliate, *, at: dt.datetime, source=AttributionSource.FORM) -> Lead:
    lead = Lead.objects.create(full_name="Referred lead")
    AffiliateDeal.objects.create(affiliate=affiliate, lead=lead, attributed_at=at, expires_at=at + dt.timedelta(days=90),
                                 source=source)
    return lead


def won_deal(affiliate, *, closed_at: dt.datetime, value="10000", registered_at=None, commission=None) -> Deal:
    """A referral whose deal was won at `closed_at`, with the attributed revenue (and, if given, the deal
    commission of that month)."""
    lead = Lead.objects.create(full_name="Referred customer")
    deal = Deal.objects.create(lead=lead, title="Subscription", stage=DealStage.CLOSED_WON, value=Decimal(value),
                               closed_at=closed_at, plan=CustomerPlan.PRO)
    registered_at = registered_at or closed_at - dt.timedelta(days=10)
    AffiliateDeal.objects.create(affiliate=affiliate, lead=lead, deal=deal, status=AttributionStatus.CONFIRMED,
                                 attributed_revenue=Decimal(value), attributed_at=registered_at,
                                 expires_at=registered_at + dt.timedelta(days=90))
    if commission is not None:
        Commission.objects.create(affiliate=affiliate, deal=deal, kind=CommissionKind.DEAL, amount=Decimal(commission),
                                  rate=Decimal(20), period=performance.month_of(closed_at))
    return deal


# --- the monthly figures ---------------------------------------------------------------------------

def test_the_monthly_figures_are_written_once_and_running_again_changes_nothing(in_tenant_a):
    noura = partner("Noura Al-Harbi")
    idle = partner("Idle Partner")
    applicant = factories.AffiliateFactory(applicant=True, language="en")
    won_deal(noura, closed_at=riyadh(LAST_MONTH, 10), value="10000", registered_at=riyadh(LAST_MONTH, 2),
             commission="2000")
    won_deal(noura, closed_at=riyadh(LAST_MONTH, 20), value="5000", registered_at=riyadh(LAST_MONTH, 3),
             commission="1000")
    referral(noura, at=riyadh(LAST_MONTH, 5))
    referral(noura, at=riyadh(LAST_MONTH, 6))
    cancelled = Commission.objects.filter(affiliate=noura).order_by("amount").first()
    Commission.objects.filter(pk=cancelled.pk).update(status=CommissionStatus.CANCELLED)

    assert performance.compute_performance(LAST_MONTH) == 2
    audit_rows = AuditLog.objects.count()
    assert performance.compute_performance(LAST_MONTH) == 0

    row = AffiliatePerformance.objects.get(affiliate=noura, period=LAST_MONTH)
    assert (row.leads_generated, row.deals_closed) == (4, 2)
    assert row.revenue_attributed == Decimal("15000.00")
    assert row.commission_earned == Decimal("2000.00")  # the cancelled one does not count
    assert row.conversion_rate == Decimal("50.00")
    assert AffiliatePerformance.objects.get(affiliate=idle, period=LAST_MONTH).deals_closed == 0
    assert not AffiliatePerformance.objects.filter(affiliate=applicant).exists()
    assert AuditLog.objects.count() == audit_rows

    won_deal(noura, closed_at=riyadh(LAST_MONTH, 25), value="2500")
    assert performance.compute_performance(LAST_MONTH) == 1
    row.refresh_from_db()
    assert (row.deals_closed, row.revenue_attributed) == (3, Decimal("17500.00"))
    assert AffiliatePerformance.objects.filter(affiliate=noura).count() == 1


def test_a_deal_won_after_midnight_in_riyadh_belongs_to_the_new_month(in_tenant_a):
    noura = partner("Noura Al-Harbi")
    this_month = factories.month_start(0)
    # 21:30 UTC on the month's last day is already 00:30 on the 1st in Riyadh.
    won_deal(noura, closed_at=riyadh(this_month, 1, 0).replace(minute=30))

    performance.compute_performance(LAST_MONTH)
    performance.compute_performance(this_month)

    assert AffiliatePerformance.objects.get(affiliate=noura, period=LAST_MONTH).deals_closed == 0
    assert AffiliatePerformance.objects.get(affiliate=noura, period=this_month).deals_closed == 1


def test_the_monthly_job_computes_the_month_that_has_just_ended(in_tenant_a):
    noura = partner("Noura Al-Harbi")
    won_deal(noura, closed_at=riyadh(LAST_MONTH, 15))
    first_of_month = riyadh(factories.month_start(0), 1, 6)

    jobs.monthly_performance(first_of_month.isoformat())

    assert AffiliatePerformance.objects.get(affiliate=noura).period == LAST_MONTH


# --- the leaderboard -------------------------------------------------------------------------------

@pytest.fixture
def board(in_tenant_a):
    """Three partners last month: Zaid 3 deals, Yara 3 deals with more revenue, Xena 1 deal."""
    made = {name: partner(name) for name in ("Xena Stone", "Yara Al-Otaibi", "Zaid Al-Shehri")}
    for day in (3, 4, 5):
        won_deal(made["Zaid Al-Shehri"], closed_at=riyadh(LAST_MONTH, day), value="3000")
        won_deal(made["Yara Al-Otaibi"], closed_at=riyadh(LAST_MONTH, day), value="5000")
    won_deal(made["Xena Stone"], closed_at=riyadh(LAST_MONTH, 9), value="90000")
    return made


def test_the_leaderboard_ranks_by_deals_closed_then_revenue(board):
    rows = performance.leaderboard(LAST_MONTH)

    assert [row.affiliate.full_name for row in rows] == ["Yara Al-Otaibi", "Zaid Al-Shehri", "Xena Stone"]
    assert [row.rank for row in rows] == [1, 2, 3]
    assert rows[0].figures.revenue_attributed == Decimal("15000.00")
    assert performance.rank_of(board["Xena Stone"], LAST_MONTH) == 3
    assert performance.rank_of(board["Yara Al-Otaibi"], LAST_MONTH) == 1


def test_partners_with_the_same_figures_share_a_rank_and_suspended_ones_are_not_ranked(board):
    twin = partner("Twin Partner")
    for day in (3, 4, 5):
        won_deal(twin, closed_at=riyadh(LAST_MONTH, day), value="5000")
    Affiliate.objects.filter(pk=board["Zaid Al-Shehri"].pk).update(status=AffiliateStatus.SUSPENDED)
    board["Zaid Al-Shehri"].refresh_from_db()

    ranks = {row.affiliate.full_name: row.rank for row in performance.leaderboard(LAST_MONTH)}

    assert ranks == {"Twin Partner": 1, "Yara Al-Otaibi": 1, "Xena Stone": 3}
    assert performance.rank_of(board["Zaid Al-Shehri"], LAST_MONTH) is None


def test_a_partner_sees_others_as_first_name_and_initial_and_only_their_deal_counts(board):
    arabic = partner("نورة القحطاني")
    won_deal(arabic, closed_at=riyadh(LAST_MONTH, 7))

    rows = performance.portal_leaderboard(board["Xena Stone"], LAST_MONTH)

    assert [row.name for row in rows] == ["Yara O.", "Zaid S.", "Xena Stone", "نورة ق."]
    assert [row.is_me for row in rows] == [False, False, True, False]
    assert [row.deals_closed for row in rows] == [3, 3, 1, 1]
    assert not hasattr(rows[0], "affiliate") and not hasattr(rows[0], "revenue_attributed")


def test_a_partner_below_the_top_still_sees_their_own_line(board):
    rows = performance.portal_leaderboard(board["Xena Stone"], LAST_MONTH, limit=1)

    assert [(row.rank, row.name, row.is_me) for row in rows] == [(1, "Yara O.", False), (3, "Xena Stone", True)]


@pytest.mark.parametrize("full_name, shown", [
    ("Noura Al-Harbi", "Noura H."),
    ("نورة القحطاني", "نورة ق."),
    ("عبد الله بن سعد الشهري", "عبد الله ش."),
    ("Madonna", "Madonna"),
])
def test_a_short_name_is_the_first_name_and_the_family_initial(full_name, shown):
    assert performance.short_name(full_name) == shown


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_leaderboard_page_shows_the_chosen_month_and_who_is_eligible_for_hiring(language, board, people,
                                                                                   client_for):
    Affiliate.objects.filter(pk=board["Yara Al-Otaibi"].pk).update(hiring_eligible_at=timezone.now())
    client = client_for(people["manager"], language=language)

    response = client.get("/affiliates/leaderboard/", {"period": f"{LAST_MONTH:%Y-%m}"})

    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("Yara Al-Otaibi") < text.index("Zaid Al-Shehri") < text.index("Xena Stone")
    assert text.count('data-testid="hiring-flag"') == 1
    assert 'data-testid="hiring-eligible"' in text
    assert f'lang="{language}"' in text


def test_the_month_picker_swaps_only_the_table_for_htmx(board, people, client_for):
    response = client_for(people["manager"], language="en").get(
        "/affiliates/leaderboard/", {"period": f"{LAST_MONTH:%Y-%m}"}, HTTP_HX_REQUEST="true")

    text = response.content.decode()
    assert 'data-testid="leaderboard-table"' in text and "<html" not in text
    assert "HX-Request" in response.headers["Vary"]


def test_the_leaderboard_month_picker_refuses_a_month_it_does_not_offer(board, people, client_for):
    response = client_for(people["manager"], language="en").get("/affiliates/leaderboard/", {"period": "1999-01"})

    assert response.status_code == 400
    assert "Choose one of the months in the list." in response.content.decode()


@pytest.mark.parametrize("role", ["agent", "affiliate"])
def test_agents_and_partners_do_not_reach_the_staff_leaderboard(role, in_tenant_a, people, client_for):
    assert client_for(people[role]).get("/affiliates/leaderboard/").status_code == 403


# --- tiers -----------------------------------------------------------------------------------------

def deals_this_month(affiliate, count: int) -> None:
    for _number in range(count):
        won_deal(affiliate, closed_at=timezone.now(), commission="100")


@pytest.mark.parametrize("deals, tier, needed, text", [
    (0, "bronze", 5, "0 deals closed this month (Bronze): 5 more deals to reach Silver."),
    (6, "silver", 2, "6 deals closed this month (Silver): 2 more deals to reach Gold."),
    (9, "gold", 1, "9 deals closed this month (Gold): 1 more deal to reach Platinum."),
    (10, "platinum", 0, "10 deals closed this month: Platinum, the top tier."),
])
def test_tier_progress_says_how_many_more_deals_reach_the_next_tier(deals, tier, needed, text, in_tenant_a):
    from django.utils import translation
    noura = partner("Noura Al-Harbi")
    deals_this_month(noura, deals)

    with translation.override("en"):
        progress = performance.tier_progress(noura)

    assert progress["deals_closed"] == deals and progress["month_tier"] == tier
    assert progress["deals_needed"] == needed
    assert progress["text"] == text


# --- eligible for hiring ---------------------------------------------------------------------------

def paid_deals(affiliate, period: dt.date, count: int) -> None:
    """`count` paid deal commissions of `affiliate` for `period` (one payout pays them)."""
    payout = Payout.objects.create(affiliate=affiliate, amount=Decimal(100 * count), iban=factories.sample_data.saudi_iban(
        factories.rng()), period=period, status="completed", processed_at=timezone.now())
    deals = Deal.objects.bulk_create([Deal(title=f"Deal {number}", stage=DealStage.CLOSED_WON, value=Decimal(1000),
                                           closed_at=riyadh(period, 5)) for number in range(count)])
    Commission.objects.bulk_create([
        Commission(affiliate=affiliate, deal=deal, kind=CommissionKind.DEAL, amount=Decimal(100), rate=Decimal(20),
                   period=period, status=CommissionStatus.PAID, payout=payout) for deal in deals])


def test_the_hiring_flag_needs_ten_paid_deals_in_each_of_three_consecutive_months(in_tenant_a, people):
    months = [factories.month_start(offset) for offset in (5, 4, 3, 2, 1)]
    steady, gap, short, two_months = (partner(name) for name in ("Steady", "With a gap", "One short", "Two months"))
    for month in months[2:]:
        paid_deals(steady, month, 10)
    for month in (months[0], months[1], months[3], months[4]):
        paid_deals(gap, month, 12)
    for month, count in zip(months[2:], (10, 9, 10)):
        paid_deals(short, month, count)
    for month in months[3:]:
        paid_deals(two_months, month, 15)
    manager = user_of(people["manager"])

    assert performance.hiring_check() == 1
    assert performance.hiring_check() == 0

    flagged = set(Affiliate.objects.filter(hiring_eligible_at__isnull=False).values_list("full_name", flat=True))
    assert flagged == {"Steady"}
    steady.refresh_from_db()
    assert steady.status == AffiliateStatus.ACTIVE and steady.user.role == "affiliate"  # only a flag
    [alert] = Notification.objects.filter(user=manager, type="affiliate_alert", channel="in_app")
    assert "Steady" in alert.title
    assert not Notification.objects.filter(user__role="agent", type="affiliate_alert").exists()


# --- the weekly report -----------------------------------------------------------------------------

@pytest.fixture
def queue():
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


@pytest.fixture
def mail_through(settings, smtp_server):  # noqa: F811
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    return smtp_server


def run_jobs(queue):
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


@pytest.fixture
def two_partners(in_tenant_a, people):
    """An Arabic-speaking partner (tenant A's affiliate login) and an English-speaking one, each with a
    referral and a won deal in last week, a pending commission and a paid one."""
    now = timezone.now()
    first, _last = performance.report_week(now)
    in_last_week = dt.datetime.combine(first + dt.timedelta(days=2), dt.time(11), tzinfo=RIYADH)
    arabic_user = user_of(people["affiliate"])
    User.objects.filter(pk=arabic_user.pk).update(language="ar")
    made = {"ar": partner("نورة القحطاني", user=User.objects.get(pk=arabic_user.pk), referral_code="NOURA001"),
            "en": partner("Sara Smith", user=factories.UserFactory(role="affiliate", language="en"))}
    for affiliate in made.values():
        referral(affiliate, at=in_last_week)
        won_deal(affiliate, closed_at=in_last_week, value="8000", commission="1600", registered_at=in_last_week)
        factories.CommissionFactory(affiliate=affiliate, paid=True, amount=Decimal("500.00"), language="en")
    factories.AffiliateFactory(status=AffiliateStatus.SUSPENDED, language="en")  # gets nothing
    return now, made


def test_the_weekly_report_goes_once_a_week_to_each_partner_in_their_language(
        two_partners, queue, mail_through, django_capture_on_commit_callbacks):
    now, made = two_partners

    with django_capture_on_commit_callbacks(execute=True):
        assert performance.send_weekly_reports(now.isoformat()) == 2
        assert performance.send_weekly_reports((now + dt.timedelta(hours=3)).isoformat()) == 0
    run_jobs(queue)

    mails = {mail["To"]: mail for mail in mail_through.messages()}
    assert set(mails) == {made["ar"].user.email, made["en"].user.email}
    english = mails[made["en"].user.email]
    text = english.get_body(("plain",)).get_content()
    assert english["Subject"].strip().startswith("Your partner week")
    assert "New referrals: 2" in text  # the referral and the lead of the won deal
    assert "Deals closed: 1 (revenue SAR\xa08,000.00)" in text
    assert "Pending (waiting for the guarantee window and payment): SAR\xa01,600.00 (1)" in text
    assert "Paid so far: SAR\xa0500.00 (1)" in text
    assert 'dir="ltr"' in english.get_body(("html",)).get_content()
    arabic = mails[made["ar"].user.email]
    assert 'dir="rtl"' in arabic.get_body(("html",)).get_content()
    assert "8,000.00\xa0ر.س." in arabic.get_body(("plain",)).get_content()


def test_next_week_brings_the_next_report(two_partners):
    now, _made = two_partners
    assert performance.send_weekly_reports(now.isoformat()) == 2

    assert performance.send_weekly_reports((now + dt.timedelta(days=7)).isoformat()) == 2
    assert Notification.objects.filter(type="affiliate_weekly_report").values("url").distinct().count() == 2
