"""An affiliate's monthly statement (RULES.md §6): what the month's payout paid, what was earned in the
month, what is still open from earlier months, and the totals held, disputed and carried over; as lines
for a page and as a PDF in Arabic (right to left, shaped with HarfBuzz) or English.

Statement of month P, built from the records as they are now:
- "paid": the commissions in P's payout (the batch built on P's 1st), clawbacks deducted as negative lines;
- "month": the other commissions of period P (pending, approved, held, disputed, cancelled, paid later);
- "earlier": commissions of earlier months that were still open during P (not yet paid, or paid by a
  later batch);
- carried over: what was approved by the end of P and not paid by P's payout or an earlier one, i.e.
  the balance the next batch starts from (under the minimum nothing is paid, so all of it carries).
The statement "date" of a payout, from which the dispute window runs, is its completion (see disputes).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _, ngettext

from affiliates.choices import CommissionKind, CommissionStatus, PayoutMethod, PayoutStatus
from affiliates.models import Affiliate, Commission, Payout
from dealix.tenancy.rules import current_rules

ZERO = Decimal("0.00")
LIVE = (PayoutStatus.PENDING, PayoutStatus.PROCESSING, PayoutStatus.COMPLETED)
OPEN = (CommissionStatus.PENDING, CommissionStatus.APPROVED, CommissionStatus.DISPUTED)
FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "fonts" / "ibm-plex-sans-arabic" / "ttf"
ARABIC_FONT = FONT_DIR / "ibm-plex-sans-arabic-arabic-400-normal.ttf"
LATIN_FONT = FONT_DIR / "ibm-plex-sans-arabic-latin-400-normal.ttf"


@dataclass(frozen=True)
class StatementLine:
    section: str          # paid | month | earlier | payout
    title: str
    basis: str            # how the amount was computed, in words
    amount: Decimal
    status: str           # the status label, in the statement's language
    note: str = ""        # held, disputed, carried over, paid by which payout, why a payout failed
    period: dt.date | None = None
    commission: Commission | None = None
    payout: Payout | None = None
    held: bool = False
    disputed: bool = False
    carried_over: bool = False


@dataclass
class Statement:
    affiliate: Affiliate
    period: dt.date
    generated_at: dt.datetime
    lines: list[StatementLine] = field(default_factory=list)
    payouts: list[Payout] = field(default_factory=list)
    earned: Decimal = ZERO
    clawbacks: Decimal = ZERO
    held: Decimal = ZERO
    disputed: Decimal = ZERO
    carried_over: Decimal = ZERO
    paid: Decimal = ZERO
    carried_over_reason: str = ""

    def section(self, name: str) -> list[StatementLine]:
        return [line for line in self.lines if line.section == name]


# --- words --------------------------------------------------------------------------------------------

def money(amount) -> str:
    """An amount with its currency in the active language (plain characters: the PDF fonts have no
    bidi control marks, and the shaping engine orders the runs itself)."""
    amount = Decimal(amount)
    if translation.get_language() == "ar":
        return f"{amount:,.2f} ر.س."
    return f"{'-' if amount < 0 else ''}SAR {abs(amount):,.2f}"


def month_name(period: dt.date) -> str:
    return formats.date_format(period, "F Y")


def basis_in_words(commission: Commission) -> str:
    """How a commission was computed, in the active language: the commission engine's sentences
    (`affiliates.commissions.basis_lines`), or, for a correction a dispute created, what it corrects;
    an amount a dispute adjusted says so."""
    from affiliates.commissions import basis_lines
    basis = commission.basis or {}
    correction = basis.get("correction_of")
    if correction:
        return _("Correction after a dispute: the commission goes from %(before)s to %(after)s, so %(amount)s is "
                 "%(what)s.") % {"before": money(basis.get("from", 0)), "after": money(basis.get("to", 0)),
                                 "amount": money(abs(commission.amount)),
                                 "what": _("deducted") if commission.amount < 0 else _("added")}
    if not basis.get("kind") and "revenue" not in basis and "attributed_revenue" not in basis:
        return _fallback_basis(commission)
    sentences = basis_lines(commission)
    adjusted = basis.get("adjusted")
    if adjusted:
        sentences.append(_("Adjusted after a dispute from %(before)s to %(after)s.") % {
            "before": money(adjusted.get("from", 0)), "after": money(adjusted.get("to", 0))})
    return " ".join(str(sentence) for sentence in sentences)


def _fallback_basis(commission: Commission) -> str:
    """A commission recorded without its figures (seeded or imported): what its amount and rate say."""
    if commission.kind == CommissionKind.BONUS:
        return _("Monthly bonus of %(amount)s.") % {"amount": money(commission.amount)}
    if commission.kind == CommissionKind.CLAWBACK:
        return _("Takes back %(amount)s paid earlier; deducted from the next payout.") % {
            "amount": money(abs(commission.amount))}
    if commission.rate:
        revenue = (commission.amount * 100 / commission.rate).quantize(Decimal("0.01"))
        return _("%(revenue)s attributed revenue × %(rate)s%% = %(amount)s.") % {
            "revenue": money(revenue), "rate": f"{commission.rate.normalize():f}", "amount": money(commission.amount)}
    return _("A commission of %(amount)s.") % {"amount": money(commission.amount)}


def _title(commission: Commission) -> str:
    kind = commission.get_kind_display()
    if commission.deal_id:
        return f"{kind} — {commission.deal.title}"
    return f"{kind} — {month_name(commission.period)}"


def _payout_title(payout: Payout) -> str:
    method = payout.get_method_display()
    if payout.method == PayoutMethod.BANK_TRANSFER and payout.iban:
        method += f" · {payout.bank_name + ' · ' if payout.bank_name else ''}{mask_iban(payout.iban)}"
    elif payout.method == PayoutMethod.WALLET and payout.wallet_account:
        method += f" · {payout.wallet_account}"
    return _("Payout %(reference)s") % {"reference": payout.reference or "—"} + f" — {method}"


def mask_iban(iban: str) -> str:
    return f"{iban[:4]} **** **** {iban[-4:]}" if len(iban) > 8 else iban


# --- the statement ------------------------------------------------------------------------------------

def _approved_by(commission: Commission, moment: dt.datetime) -> bool:
    """Whether the commission was payable by `moment` (a clawback is payable from its creation)."""
    if commission.kind == CommissionKind.CLAWBACK:
        return commission.created_at < moment
    return commission.approved_at is not None and commission.approved_at < moment


def build_statement(affiliate: Affiliate, period: dt.date, now: dt.datetime | None = None) -> Statement:
    rules = current_rules()
    period = period.replace(day=1)
    following = (period + dt.timedelta(days=32)).replace(day=1)
    end = timezone.make_aware(dt.datetime.combine(following, dt.time.min))
    statement = Statement(affiliate=affiliate, period=period, generated_at=now or timezone.now())
    statement.payouts = list(Payout.objects.filter(affiliate=affiliate, period=period).order_by("created_at"))
    live_ids = {payout.pk for payout in statement.payouts if payout.status in LIVE}
    commissions = (Commission.objects.filter(affiliate=affiliate)
                   .filter(Q(payout_id__in=live_ids) | Q(period=period)
                           | Q(period__lt=period, status__in=OPEN)
                           | Q(period__lt=period, payout__period__gt=period, payout__status__in=LIVE))
                   .select_related("deal", "payout", "reverses")
                   .order_by("period", "created_at"))
    for payout in statement.payouts:
        note = payout.failure_reason if payout.status == PayoutStatus.FAILED else ""
        statement.lines.append(StatementLine(
            section="payout", title=_payout_title(payout), basis="", amount=payout.amount,
            status=payout.get_status_display(), note=note, period=period, payout=payout))
        if payout.status in LIVE:
            statement.paid += payout.amount
    for commission in commissions:
        in_payout = commission.payout_id in live_ids
        paid_earlier = (commission.payout_id and commission.payout.status in LIVE and commission.payout.period
                        and commission.payout.period < period and not in_payout)
        if paid_earlier:
            continue  # a commission of this month already paid by an earlier batch is on that statement
        payout_later = (commission.payout_id and not in_payout and commission.payout.status in LIVE
                        and commission.payout.period and commission.payout.period > period)
        open_now = commission.status in OPEN and not (commission.payout_id and commission.payout.status in LIVE)
        carried = (not in_payout and not commission.held and (open_now or payout_later)
                   and commission.status != CommissionStatus.DISPUTED
                   and (commission.status == CommissionStatus.APPROVED or commission.kind == CommissionKind.CLAWBACK
                        or payout_later)
                   and _approved_by(commission, end))
        held = commission.held and commission.status not in (CommissionStatus.PAID, CommissionStatus.CANCELLED)
        disputed = commission.status == CommissionStatus.DISPUTED
        notes = []
        if held:
            notes.append(_("Held: %(reason)s") % {"reason": commission.hold_reason} if commission.hold_reason
                         else _("Held for review."))
        if disputed:
            notes.append(_("Disputed: the amount is frozen until the dispute is decided."))
        if carried:
            notes.append(_("Carried over to the next payout."))
        elif commission.status == CommissionStatus.PENDING and commission.kind != CommissionKind.CLAWBACK:
            notes.append(ngettext("Waiting for the %(days)s-day guarantee window and the customer's payment.",
                                  "Waiting for the %(days)s-day guarantee window and the customer's payment.",
                                  rules.guarantee_days) % {"days": rules.guarantee_days})
        if payout_later:
            notes.append(_("Paid by payout %(reference)s.") % {"reference": commission.payout.reference})
        section = "paid" if in_payout else ("month" if commission.period == period else "earlier")
        statement.lines.append(StatementLine(
            section=section, title=_title(commission), basis=basis_in_words(commission), amount=commission.amount,
            status=commission.get_status_display(), note=" ".join(notes), period=commission.period,
            commission=commission, held=held, disputed=disputed, carried_over=carried))
        cancelled = commission.status == CommissionStatus.CANCELLED
        if commission.kind == CommissionKind.CLAWBACK and not cancelled and (in_payout or commission.period == period):
            statement.clawbacks += commission.amount
        elif commission.period == period and not cancelled and commission.kind != CommissionKind.CLAWBACK:
            statement.earned += commission.amount
        if held:
            statement.held += commission.amount
        if disputed:
            statement.disputed += commission.amount
        if carried:
            statement.carried_over += commission.amount
    if statement.carried_over and not live_ids:
        if statement.carried_over < rules.payout_minimum:
            statement.carried_over_reason = _("Under the %(minimum)s minimum payout, so nothing was paid this month: "
                                              "it carries over.") % {"minimum": money(rules.payout_minimum)}
    return statement


# --- the PDF ------------------------------------------------------------------------------------------

def render_pdf(*, affiliate: Affiliate, period: dt.date, language: str) -> bytes:
    language = "ar" if language == "ar" else "en"
    with translation.override(language):
        statement = build_statement(affiliate, period)
        return _StatementPdf(statement, right_to_left=language == "ar").render()


class _StatementPdf:
    """Lays the statement out with fpdf2: one column of rows, a title at the reading start and an
    amount at its end, the basis in words beneath. Arabic runs right to left with HarfBuzz shaping;
    the Latin subset of the same typeface is the fallback for Latin letters and digits, and the Arabic
    subset for Arabic names in the English statement."""

    BODY, SMALL, TITLE = 10, 8.5, 16
    GREY, INK, ACCENT = (100, 100, 100), (20, 20, 20), (13, 110, 253)

    def __init__(self, statement: Statement, *, right_to_left: bool):
        from fpdf import FPDF
        self.statement, self.rtl = statement, right_to_left
        self.rules = current_rules()
        pdf = FPDF(format="A4", unit="mm")
        pdf.set_margins(16, 16, 16)
        pdf.set_auto_page_break(True, margin=18)
        pdf.add_font("plex-arabic", fname=str(ARABIC_FONT))
        pdf.add_font("plex-latin", fname=str(LATIN_FONT))
        if right_to_left:
            pdf.set_font("plex-arabic", size=self.BODY)
            pdf.set_fallback_fonts(["plex-latin"], exact_match=False)
            pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ar")
            pdf.viewer_preferences = _right_to_left_preferences()
            pdf.set_lang("ar")
        else:
            pdf.set_font("plex-latin", size=self.BODY)
            pdf.set_fallback_fonts(["plex-arabic"], exact_match=False)
            pdf.set_text_shaping(use_shaping_engine=True)
            pdf.set_lang("en")
        tenant = _tenant_name()
        pdf.set_title(_("Partner statement — %(month)s") % {"month": month_name(statement.period)})
        pdf.set_author(tenant)
        pdf.set_creator("Dealix")
        self.pdf, self.tenant = pdf, tenant
        self.align_start, self.align_end = ("R", "L") if right_to_left else ("L", "R")

    # rows ------------------------------------------------------------------------------------------
    def _room(self, height: float) -> None:
        pdf = self.pdf
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()

    def text(self, value: str, *, size: float | None = None, colour=None, height: float = 6) -> None:
        pdf = self.pdf
        pdf.set_font_size(size or self.BODY)
        pdf.set_text_color(*(colour or self.INK))
        pdf.multi_cell(0, height, value, align=self.align_start, new_x="LMARGIN", new_y="NEXT")

    def pair(self, start: str, end: str, *, size: float | None = None, colour=None, height: float = 6.5,
             end_width: float = 46) -> None:
        """`start` at the reading start of the line, `end` (an amount) at its end."""
        pdf = self.pdf
        self._room(height)
        pdf.set_font_size(size or self.BODY)
        pdf.set_text_color(*(colour or self.INK))
        width = pdf.epw - end_width
        y = pdf.get_y()
        start_x = pdf.l_margin + end_width if self.rtl else pdf.l_margin
        end_x = pdf.l_margin if self.rtl else pdf.l_margin + width
        pdf.set_xy(end_x, y)
        pdf.cell(end_width, height, end, align=self.align_end)
        pdf.set_xy(start_x, y)
        pdf.multi_cell(width, height, start, align=self.align_start, new_x="LMARGIN", new_y="NEXT")

    def rule(self) -> None:
        pdf = self.pdf
        pdf.set_draw_color(210, 210, 210)
        pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
        pdf.ln(3)

    def heading(self, value: str) -> None:
        self._room(16)
        self.pdf.ln(3)
        self.text(value, size=12, colour=self.ACCENT, height=7)
        self.rule()

    # content ---------------------------------------------------------------------------------------
    def render(self) -> bytes:
        statement, pdf = self.statement, self.pdf
        affiliate = statement.affiliate
        pdf.add_page()
        self.text(self.tenant, size=self.SMALL, colour=self.GREY)
        self.text(_("Partner statement — %(month)s") % {"month": month_name(statement.period)}, size=self.TITLE,
                  height=9)
        self.text(affiliate.full_name, size=12, height=7)
        self.text(_("Referral code %(code)s · %(tier)s tier") % {
            "code": affiliate.referral_code or "—", "tier": affiliate.get_tier_display()}, size=self.SMALL,
            colour=self.GREY)
        self.text(_("Issued %(date)s. Amounts in Saudi riyals.") % {
            "date": formats.date_format(timezone.localtime(statement.generated_at), "j F Y")},
            size=self.SMALL, colour=self.GREY)
        self.heading(_("Summary"))
        self.pair(_("Earned this month"), money(statement.earned))
        self.pair(_("Clawbacks"), money(statement.clawbacks))
        self.pair(_("Held for review"), money(statement.held))
        self.pair(_("Disputed (frozen)"), money(statement.disputed))
        self.pair(_("Carried over to the next payout"), money(statement.carried_over))
        if statement.carried_over_reason:
            self.text(statement.carried_over_reason, size=self.SMALL, colour=self.GREY)
        self.pair(_("Paid this month"), money(statement.paid))

        self.heading(_("Payout"))
        payouts = statement.section("payout")
        if not payouts:
            self.text(_("No payout this month."), colour=self.GREY)
        for line in payouts:
            self.pair(line.title, money(line.amount))
            self.text(" · ".join(part for part in (line.status, line.note) if part), size=self.SMALL, colour=self.GREY)
        self.lines(_("Paid in this payout"), statement.section("paid"))
        self.lines(_("Commissions of the month"), statement.section("month"),
                   empty=_("No commissions this month."))
        self.lines(_("Still open from earlier months"), statement.section("earlier"))

        self.pdf.ln(4)
        self.text(ngettext("You may dispute any line within %(days)s day of this statement from the partner portal; "
                           "the amount is frozen until a decision, due within %(decision)s business days.",
                           "You may dispute any line within %(days)s days of this statement from the partner portal; "
                           "the amount is frozen until a decision, due within %(decision)s business days.",
                           self.rules.dispute_window_days) % {
            "days": self.rules.dispute_window_days, "decision": self.rules.dispute_decision_business_days},
            size=self.SMALL, colour=self.GREY)
        return bytes(pdf.output())

    def lines(self, heading: str, lines: list[StatementLine], empty: str = "") -> None:
        if not lines and not empty:
            return
        self.heading(heading)
        if not lines:
            self.text(empty, colour=self.GREY)
        for line in lines:
            self._room(20)
            self.pair(line.title, money(line.amount))
            if line.basis:
                self.text(line.basis, size=self.SMALL, colour=self.GREY, height=5)
            status = line.status if line.section == "paid" else f"{line.status} · {month_name(line.period)}"
            self.text(" ".join(part for part in (status + ".", line.note) if part), size=self.SMALL,
                      colour=self.GREY, height=5)
            self.pdf.ln(1.5)


def _right_to_left_preferences():
    """Viewer preferences saying the document reads right to left. fpdf2 2.8.9 writes its own
    `direction` as a bare word ("RTL") where PDF wants the name /R2L, so this names it itself."""
    from fpdf import ViewerPreferences
    from fpdf.syntax import Name

    class RightToLeft(ViewerPreferences):
        @property
        def direction(self):
            return Name("R2L")

        @direction.setter
        def direction(self, value):
            pass

    return RightToLeft()


def _tenant_name() -> str:
    from dealix.core.notifications import current_tenant
    tenant = current_tenant()
    return getattr(tenant, "name", "") or "Dealix"
