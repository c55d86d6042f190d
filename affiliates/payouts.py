"""The monthly payout batch (RULES.md §6).

On the 1st of each month a manager builds the batch for that month: per affiliate, the approved
commissions that are not held, not disputed and not yet in a payout (up to the batch's month), minus
the clawbacks waiting to be deducted. Under `payout_minimum` nothing is paid and the balance carries
over to the next batch; an affiliate whose payout method cannot be used (a bank transfer without a
valid Saudi IBAN, a wallet without an account) or whose partnership is suspended is skipped with the
reason shown on the batch page. Building a month twice creates nothing new.

A payout moves pending → processing → completed | failed (admins). Completing it marks its commissions
paid and their attributions paid; a failure detaches its commissions, which stay approved and go into
the next batch. The commissions of a payout in flight keep the status "approved" (the commission state
machine has no "in a payout" state): `Commission.payout` is what ties them to it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from affiliates.choices import (AffiliateStatus, AttributionStatus, CommissionKind, CommissionStatus, PayoutMethod,
                                PayoutStatus)
from affiliates.models import Affiliate, AffiliateDeal, Commission, Payout
from affiliates.periods import month_start
from dealix.accounts import roles
from dealix.core.audit import audit, audit_create, audit_update, snapshot
from dealix.core.choices import AuditAction
from dealix.core.exports import neutralise
from dealix.core.iban import normalise_iban, validate_saudi_iban
from dealix.core.states import transition
from dealix.tenancy.rules import current_rules

__all__ = ["build_payouts", "batch_preview", "payout_process", "payout_complete", "payout_fail", "batch_csv",
           "statement_lines", "statement_pdf", "statement", "month_start", "payable_commissions", "Skipped"]

ZERO = Decimal("0.00")
PAYABLE_AFFILIATE_STATUSES = (AffiliateStatus.APPROVED, AffiliateStatus.ACTIVE)
# A payout that still counts for its month: a failed one does not (its commissions went back to approved).
LIVE_PAYOUT_STATUSES = (PayoutStatus.PENDING, PayoutStatus.PROCESSING, PayoutStatus.COMPLETED)


def payable_commissions(period: dt.date | None = None):
    """What a batch for `period` pays: approved commissions (and clawbacks waiting to be deducted,
    approved or not yet) up to that month, not held, not in a payout. A disputed commission is not
    approved, so a frozen amount never gets here."""
    period = month_start(period)
    approved = Q(status=CommissionStatus.APPROVED)
    clawback = Q(kind=CommissionKind.CLAWBACK, status=CommissionStatus.PENDING)
    return Commission.objects.filter(approved | clawback, held=False, payout__isnull=True, period__lte=period)


@dataclass(frozen=True)
class Skipped:
    """An affiliate with a balance who gets no payout in this batch, and why (shown on the batch page)."""
    affiliate: Affiliate
    amount: Decimal
    code: str  # below_minimum | missing_iban | invalid_iban | missing_wallet | not_active
    reason: str


@dataclass
class _Candidate:
    affiliate: Affiliate
    commissions: list[Commission] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((commission.amount for commission in self.commissions), ZERO)


class BatchResult(list):
    """The payouts a build created (a list, as the API promises) with `.skipped` beside them."""

    def __init__(self, payouts=(), skipped=()):
        super().__init__(payouts)
        self.skipped: list[Skipped] = list(skipped)


def _why_unpayable(affiliate: Affiliate, amount: Decimal, minimum: Decimal) -> tuple[str, str] | None:
    if affiliate.status not in PAYABLE_AFFILIATE_STATUSES:
        return "not_active", _("The partnership is %(status)s: its balance waits for a person's review.") % {
            "status": affiliate.get_status_display()}
    if amount < minimum:
        return "below_minimum", _("%(amount)s SAR is under the %(minimum)s SAR minimum: carried over to next "
                                  "month.") % {"amount": f"{amount:,.2f}", "minimum": f"{minimum:,.2f}"}
    if affiliate.payout_method == PayoutMethod.BANK_TRANSFER:
        if not affiliate.iban:
            return "missing_iban", _("A bank transfer needs an IBAN, and this partner has not given one.")
        try:
            validate_saudi_iban(affiliate.iban)
        except ValidationError:
            return "invalid_iban", _("The partner's IBAN %(iban)s is not a valid Saudi IBAN (check digits): "
                                     "ask the partner to correct it.") % {"iban": affiliate.iban}
    if affiliate.payout_method == PayoutMethod.WALLET and not affiliate.wallet_account.strip():
        return "missing_wallet", _("A wallet payout needs a wallet account, and this partner has not given one.")
    return None


def _candidates(period: dt.date, *, lock: bool = False) -> list[_Candidate]:
    """Affiliates with something payable and no live payout for the month yet."""
    already = Payout.objects.filter(period=period, status__in=LIVE_PAYOUT_STATUSES).values("affiliate_id")
    commissions = (payable_commissions(period).exclude(affiliate_id__in=already)
                   .select_related("affiliate").order_by("affiliate__full_name", "affiliate_id", "period", "created_at"))
    if lock:
        commissions = commissions.select_for_update(of=("self",))
    grouped: dict = {}
    for commission in commissions:
        grouped.setdefault(commission.affiliate_id, _Candidate(commission.affiliate)).commissions.append(commission)
    return list(grouped.values())


def batch_preview(period=None) -> tuple[list[_Candidate], list[Skipped]]:
    """What building the month now would pay, and whom it would skip and why (nothing is written)."""
    period = month_start(period)
    minimum = current_rules().payout_minimum
    payable, skipped = [], []
    for candidate in _candidates(period):
        why = _why_unpayable(candidate.affiliate, candidate.amount, minimum)
        if why:
            skipped.append(Skipped(candidate.affiliate, candidate.amount, *why))
        else:
            payable.append(candidate)
    return payable, skipped


@transaction.atomic
def build_payouts(*, actor, period=None) -> BatchResult:
    """Build the month's batch (managers). Returns the payouts created, with `.skipped` for the
    affiliates left out and why. Serialised, and an affiliate with a live payout for the month is
    left alone, so building again creates nothing new."""
    roles.require(actor, roles.PAYOUTS_BUILD)
    period = month_start(period)
    if period > month_start():
        raise ValidationError(_("A batch can only be built for this month or an earlier one."), code="future_period")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('affiliates.payout_build'))")
    rules = current_rules()
    created, skipped = [], []
    sequence = Payout.objects.filter(period=period).count()
    for candidate in _candidates(period, lock=True):
        affiliate, amount = candidate.affiliate, candidate.amount
        why = _why_unpayable(affiliate, amount, rules.payout_minimum)
        if why:
            skipped.append(Skipped(affiliate, amount, *why))
            continue
        sequence += 1
        bank = affiliate.payout_method == PayoutMethod.BANK_TRANSFER
        payout = Payout(affiliate=affiliate, amount=amount, currency=rules.currency, method=affiliate.payout_method,
                        status=PayoutStatus.PENDING, reference=f"PO-{period:%Y%m}-{sequence:04d}",
                        bank_name=affiliate.bank_name if bank else "", iban=normalise_iban(affiliate.iban) if bank else "",
                        wallet_account=affiliate.wallet_account if affiliate.payout_method == PayoutMethod.WALLET else "",
                        period=period)
        payout.full_clean()
        payout.save()
        audit_create(actor=actor, instance=payout)
        for commission in candidate.commissions:
            before = snapshot(commission, ["payout"])
            commission.payout = payout
            commission.save(update_fields=["payout", "updated_at"])
            audit_update(actor=actor, instance=commission, before=before)
        created.append(payout)
    return BatchResult(created, skipped)


def _require_payout(payout: Payout) -> Payout:
    return Payout.objects.select_for_update().get(pk=payout.pk)


def _detach(*, actor, commissions) -> None:
    for commission in commissions:
        before = snapshot(commission, ["payout"])
        commission.payout = None
        commission.save(update_fields=["payout", "updated_at"])
        audit_update(actor=actor, instance=commission, before=before)


def _still_payable(commission: Commission) -> bool:
    if commission.held:
        return False
    if commission.kind == CommissionKind.CLAWBACK:
        return commission.status in (CommissionStatus.PENDING, CommissionStatus.APPROVED)
    return commission.status == CommissionStatus.APPROVED


def release_from_pending_payout(*, actor, commission: Commission) -> None:
    """Take a commission out of a payout that has not gone to the bank yet (it was disputed or held
    meanwhile), lowering the payout; if what is left is under the minimum the payout fails and its
    commissions carry over. A payout already processing is left as it is."""
    if commission.payout_id is None:
        return
    payout = _require_payout(commission.payout)
    if payout.status != PayoutStatus.PENDING:
        return
    _detach(actor=actor, commissions=[Commission.objects.select_for_update().get(pk=commission.pk)])
    remaining = sum((item.amount for item in payout.commissions.all()), ZERO)
    if remaining < current_rules().payout_minimum:
        payout_fail(actor=actor, payout=payout, reason=_(
            "A commission in it was disputed or held, and the rest is under the minimum: carried over."),
            check_permission=False)
    else:
        _set_amount(actor=actor, payout=payout, amount=remaining)


def _set_amount(*, actor, payout: Payout, amount: Decimal) -> None:
    before = snapshot(payout, ["amount"])
    payout.amount = amount
    payout.save(update_fields=["amount", "updated_at"])
    audit_update(actor=actor, instance=payout, before=before)


@transaction.atomic
def payout_process(*, actor, payout: Payout) -> Payout:
    """An admin sends the payout to the bank (or wallet, or writes the cheque): pending → processing.
    A commission held or disputed since the build is taken out first, and the amount follows."""
    roles.require(actor, roles.PAYOUTS_PROCESS)
    payout = _require_payout(payout)
    commissions = list(payout.commissions.select_for_update())
    gone = [commission for commission in commissions if not _still_payable(commission)]
    amount = sum((commission.amount for commission in commissions if _still_payable(commission)), ZERO)
    if gone and amount < current_rules().payout_minimum:
        raise ValidationError(_("Commissions in this payout were held or disputed since the batch was built, and "
                                "the rest is under the minimum. Mark it failed so the balance carries over."),
                              code="below_minimum")
    _detach(actor=actor, commissions=gone)
    return transition(actor=actor, instance=payout, target=PayoutStatus.PROCESSING, changes={"amount": amount})


@transaction.atomic
def payout_complete(*, actor, payout: Payout, reference: str = "") -> Payout:
    """The money arrived: processing → completed; its commissions become paid and the attributions of
    the deals they pay become paid. `reference` is the bank's transfer reference, if given."""
    roles.require(actor, roles.PAYOUTS_PROCESS)
    changes = {"reference": reference.strip()} if reference and reference.strip() else {}
    payout = transition(actor=actor, instance=payout, target=PayoutStatus.COMPLETED, changes=changes)
    deals = set()
    for commission in payout.commissions.select_for_update().order_by("created_at"):
        if commission.status == CommissionStatus.PENDING:  # a clawback deducted without a separate approval
            commission = transition(actor=actor, instance=commission, target=CommissionStatus.APPROVED)
        transition(actor=actor, instance=commission, target=CommissionStatus.PAID)
        if commission.deal_id and commission.kind != CommissionKind.CLAWBACK:
            deals.add(commission.deal_id)
    for attribution in AffiliateDeal.objects.filter(affiliate_id=payout.affiliate_id, deal_id__in=deals,
                                                    status=AttributionStatus.CONFIRMED):
        transition(actor=actor, instance=attribution, target=AttributionStatus.PAID)
    _tell_affiliate(payout, completed=True)
    return payout


def _tell_affiliate(payout: Payout, *, completed: bool) -> None:
    """The partner hears when their money left, or why it did not (the balance waits for the next batch)."""
    from dealix.core.notifications import in_language_of, notify
    from dealix.core.templatetags.dealix import sar

    user = payout.affiliate.user
    if user is None or not user.is_active:
        return
    with in_language_of(user):
        if completed:
            title = _("Your payout of %(amount)s was paid") % {"amount": sar(payout.amount)}
            body = payout.reference
        else:
            title = _("Your payout could not be made; the balance waits for the next payout")
            body = payout.failure_reason[:300]
    transaction.on_commit(lambda: notify(user=user, type="payout", title=str(title)[:255], body=body,
                                         url=reverse("affiliates:portal_payouts")))


@transaction.atomic
def payout_fail(*, actor, payout: Payout, reason: str, check_permission: bool = True) -> Payout:
    """The payout could not be made (the bank refused it, the account is closed): → failed with the
    reason; its commissions leave it and stay approved, so the next batch pays them."""
    if check_permission:
        roles.require(actor, roles.PAYOUTS_PROCESS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payout failed.")}, code="reason_required")
    payout = transition(actor=actor, instance=payout, target=PayoutStatus.FAILED, changes={"failure_reason": reason})
    _detach(actor=actor, commissions=payout.commissions.select_for_update())
    _tell_affiliate(payout, completed=False)
    return payout


def batch_payouts(period=None):
    """The payouts of a month's batch, for the staff page."""
    return (Payout.objects.filter(period=month_start(period)).select_related("affiliate")
            .order_by("reference", "created_at"))


def batch_totals(period=None) -> list[tuple[str, Decimal]]:
    """(status label, total) of the month's payouts, in the order of the statuses."""
    rows = {row["status"]: row["total"] for row in
            batch_payouts(period).order_by().values("status").annotate(total=Sum("amount"))}
    return [(label, rows[value]) for value, label in PayoutStatus.choices if value in rows]


# --- the bank file -----------------------------------------------------------------------------------

def bank_transfers(period=None):
    """The bank transfers of a month's batch that are (or were) sent: failed ones are left out."""
    return batch_payouts(period).filter(method=PayoutMethod.BANK_TRANSFER, status__in=LIVE_PAYOUT_STATUSES)


def batch_csv(period=None, *, actor=None) -> bytes:
    """The month's bank transfers as CSV for the bank's bulk-payment upload: UTF-8 with a BOM (so Excel
    shows Arabic names), amounts with two decimals, and every cell that a spreadsheet would run as a
    formula neutralised. The export is audited."""
    period = month_start(period)
    payouts = list(bank_transfers(period))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Beneficiary name"), _("IBAN"), _("Bank"), _("Amount"), _("Currency"), _("Reference"),
                     _("Period")])
    for payout in payouts:
        writer.writerow([neutralise(value) for value in (
            payout.affiliate.full_name, payout.iban, payout.bank_name, f"{payout.amount:.2f}", payout.currency,
            payout.reference, f"{period:%Y-%m}")])
    audit(actor=actor, action=AuditAction.EXPORT, entity_type="affiliates.payout_batch",
          changes={"period": [None, f"{period:%Y-%m}"], "payouts": [None, len(payouts)],
                   "total": [None, str(sum((payout.amount for payout in payouts), ZERO))]})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- statements (built in affiliates.statements; named here as the programme's API) ----------------------

def statement(affiliate: Affiliate, period):
    from affiliates.statements import build_statement
    return build_statement(affiliate, month_start(period))


def statement_lines(affiliate: Affiliate, period) -> list:
    """Every line of the affiliate's statement for the month, in the active language."""
    return statement(affiliate, period).lines


def statement_pdf(*, affiliate: Affiliate, period, language: str) -> bytes:
    """The affiliate's statement for the month as a PDF in Arabic (right to left) or English."""
    from affiliates.statements import render_pdf
    return render_pdf(affiliate=affiliate, period=month_start(period), language=language)
