"""Fraud signals on affiliate referrals (RULES.md §6) and the risk score they add up to.

`check_lead` looks at a freshly attributed lead and raises a RiskSignal, with its evidence and points,
for each thing that looks wrong: the affiliate's own phone or email on it (self-referral), a lead we
already had (duplicate), far more leads this week than the affiliate usually brings (spike), many
leads from one IP address in a day. A signal alerts the reviewers and holds the commissions already
earned on that lead. `recompute_risk` adds the points up into `risk_score` (0–100); over the tenant's
`fraud_risk_suspend_over` with something still to review, every pending or approved commission is
held and the affiliate is suspended pending review. Nobody is terminated here, and nothing is released
automatically: a manager reviews each signal (dismissing one takes its points away) and then releases
what was held.
"""
from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _, ngettext

from affiliates.choices import (AffiliateStatus, AttributionSource, AttributionStatus, CommissionStatus, DisputeStatus,
                                RiskSignalKind)
from affiliates.models import Affiliate, AffiliateDeal, Commission, Dispute, RiskSignal
from affiliates.performance import local_zone, reviewers
from compliance.models import Consent
from crm.models import Contact, Lead
from dealix.accounts import roles
from dealix.core.audit import audit_create, audit_update, snapshot
from dealix.core.choices import AuditAction
from dealix.core.models import AuditLog
from dealix.core.notifications import NotificationType, current_tenant, in_language_of, notify
from dealix.core.phones import normalise_phone
from dealix.tenancy.rules import current_rules

# Not RULES.md numbers (RULES.md sets only the threshold, 80): what each signal weighs. One signal alone
# never crosses 80; a self-referral or a burst from one IP together with anything else does.
SIGNAL_POINTS = {
    RiskSignalKind.SELF_REFERRAL: 50,
    RiskSignalKind.DUPLICATE_LEAD: 20,
    RiskSignalKind.LEAD_SPIKE: 40,
    RiskSignalKind.SHARED_IP: 50,
}
# A spike is measured against the previous weeks' average, and needs this many leads in the week at
# least, so a new affiliate's first good week is not one.
SPIKE_HISTORY_WEEKS = 8
SPIKE_MINIMUM_LEADS = 10
# "Many leads from one IP": this many attributed leads from one address within the window.
SHARED_IP_LEADS = 5
SHARED_IP_WINDOW = datetime.timedelta(hours=24)
# A lead created this long before an affiliate claimed it was ours already.
EXISTED_BEFORE_GRACE = datetime.timedelta(hours=1)
# Attributions whose lead may earn the affiliate money are checked.
CHECKED = (AttributionStatus.PENDING, AttributionStatus.CONFIRMED, AttributionStatus.DISPUTED)
# Leads the affiliate typed in the portal, and imports, carry the affiliate's or a staff member's own
# address, not the lead's: they say nothing about where leads come from.
NO_VISITOR_ADDRESS = (AttributionSource.PORTAL, AttributionSource.IMPORT, AttributionSource.ADMIN)
PORTAL_CONSENT_SOURCE = "affiliate_portal"
OPEN_COMMISSIONS = (CommissionStatus.PENDING, CommissionStatus.APPROVED)
OPEN_DISPUTES = (DisputeStatus.OPEN, DisputeStatus.UNDER_REVIEW, DisputeStatus.ESCALATED)


@contextmanager
def _tenant_language():
    """Texts stored in rows (hold and suspension reasons) are written in the tenant's language."""
    with translation.override(getattr(current_tenant(), "language", None) or "ar"):
        yield


# --- checking a lead -------------------------------------------------------------------------------

def check_lead(lead_id, ip_address: str | None = None) -> list[RiskSignal]:
    """Look for fraud signals on the lead, for each affiliate it is attributed to; `ip_address` is the
    visitor's address when the caller knows it (the lead form, the booking page). Idempotent: a signal
    already raised is not raised again. Returns the signals raised now."""
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        return []
    raised = []
    for attribution in AffiliateDeal.objects.filter(lead=lead, status__in=CHECKED).order_by("attributed_at"):
        raised += _check_attribution(attribution.pk, ip_address)
    return raised


@transaction.atomic
def _check_attribution(attribution_id, ip_address) -> list[RiskSignal]:
    attribution = AffiliateDeal.objects.select_related("lead").get(pk=attribution_id)
    # One check at a time per affiliate: two leads arriving together must not both miss the spike.
    affiliate = Affiliate.objects.select_related("user").select_for_update(of=("self",)).get(
        pk=attribution.affiliate_id)
    lead = attribution.lead
    found = [signal for signal in (
        _self_referral(affiliate, lead),
        _duplicate(affiliate, lead, attribution),
        _spike(affiliate, lead, attribution),
        _shared_ip(affiliate, lead, attribution, ip_address),
    ) if signal is not None]
    if not found:
        return []
    _hold_lead_commissions(affiliate, lead, attribution, found)
    suspended_before = affiliate.status == AffiliateStatus.SUSPENDED
    score = recompute_risk(affiliate, alert=False)
    affiliate.refresh_from_db()
    _alert(affiliate, found, score=score,
           suspended_now=affiliate.status == AffiliateStatus.SUSPENDED and not suspended_before)
    return found


def _raise(affiliate: Affiliate, kind: str, lead: Lead, evidence: dict) -> RiskSignal | None:
    if RiskSignal.objects.filter(affiliate=affiliate, kind=kind, lead=lead).exists():
        return None
    signal = RiskSignal(affiliate=affiliate, kind=kind, lead=lead, points=SIGNAL_POINTS[kind], evidence=evidence)
    signal.full_clean()
    signal.save()
    audit_create(actor=None, instance=signal)
    return signal


def _phones(*values) -> set[str]:
    return {normalise_phone(value) or value for value in values if value}


def _emails(*values) -> set[str]:
    return {value.strip().lower() for value in values if value and value.strip()}


def _self_referral(affiliate: Affiliate, lead: Lead) -> RiskSignal | None:
    user = affiliate.user
    own_phones = _phones(affiliate.phone, getattr(user, "phone", ""))
    own_emails = _emails(affiliate.email, getattr(user, "email", ""))
    contacts = list(Contact.objects.filter(lead=lead).values_list("phone", "whatsapp", "email"))
    lead_phones = _phones(lead.phone, *(phone for row in contacts for phone in row[:2]))
    lead_emails = _emails(lead.email, *(row[2] for row in contacts))
    matched = {}
    if own_phones & lead_phones:
        matched["phone"] = sorted(own_phones & lead_phones)
    if own_emails & lead_emails:
        matched["email"] = sorted(own_emails & lead_emails)
    if not matched:
        return None
    return _raise(affiliate, RiskSignalKind.SELF_REFERRAL, lead, {"matched_on": sorted(matched), "values": matched})


def _duplicate(affiliate: Affiliate, lead: Lead, attribution: AffiliateDeal) -> RiskSignal | None:
    evidence = {}
    same = Q()
    if lead.phone:
        same |= Q(phone=lead.phone)
    if lead.email:
        same |= Q(email=lead.email.lower())
    if same:
        others = list(Lead.objects.filter(same, merged_into__isnull=True).exclude(pk=lead.pk)
                      .order_by("created_at").values("pk", "phone", "email")[:20])
        if others:
            evidence["duplicate_of"] = [str(other["pk"]) for other in others]
            evidence["matched_on"] = sorted(
                {"phone" for other in others if lead.phone and other["phone"] == lead.phone}
                | {"email" for other in others if lead.email and other["email"] == lead.email.lower()})
    if lead.created_at < attribution.attributed_at - EXISTED_BEFORE_GRACE:
        # The form finds a lead we already had by its phone or email and hands that one to the code.
        evidence["existed_before_referral"] = True
        evidence["lead_created_at"] = lead.created_at.isoformat()
        evidence["attributed_at"] = attribution.attributed_at.isoformat()
    if not evidence:
        return None
    return _raise(affiliate, RiskSignalKind.DUPLICATE_LEAD, lead, evidence)


def _week_start(moment: datetime.datetime) -> datetime.datetime:
    """Midnight of the Sunday the moment's week starts on, in the tenant's time zone (the Saudi week)."""
    local = moment.astimezone(local_zone())
    day = local.date() - datetime.timedelta(days=(local.weekday() + 1) % 7)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_zone())


def _spike(affiliate: Affiliate, lead: Lead, attribution: AffiliateDeal) -> RiskSignal | None:
    rules = current_rules()
    start = _week_start(attribution.attributed_at)
    week = start.date().isoformat()
    if RiskSignal.objects.filter(affiliate=affiliate, kind=RiskSignalKind.LEAD_SPIKE, evidence__week_start=week).exists():
        return None
    attributions = AffiliateDeal.objects.filter(affiliate=affiliate).exclude(status=AttributionStatus.REJECTED)
    this_week = attributions.filter(attributed_at__gte=start, attributed_at__lt=start + datetime.timedelta(days=7)).count()
    # The usual rate is over the weeks the affiliate has been in the programme, at most the last eight.
    weeks = SPIKE_HISTORY_WEEKS
    if affiliate.approved_at is not None:
        weeks = max(0, min(weeks, (start - _week_start(affiliate.approved_at)).days // 7))
    history_from = start - datetime.timedelta(weeks=weeks)
    before = attributions.filter(attributed_at__gte=history_from, attributed_at__lt=start).count()
    average = (Decimal(before) / weeks).quantize(Decimal("0.1"), ROUND_HALF_UP) if weeks else Decimal(0)
    threshold = max(average * rules.lead_spike_factor, Decimal(SPIKE_MINIMUM_LEADS))
    if this_week <= threshold:
        return None
    return _raise(affiliate, RiskSignalKind.LEAD_SPIKE, lead, {
        "week_start": week, "leads_this_week": this_week, "weekly_average": str(average), "weeks_compared": weeks,
        "factor": rules.lead_spike_factor, "minimum": SPIKE_MINIMUM_LEADS})


def lead_ip_addresses(lead_ids) -> dict:
    """{lead_id: {addresses}} the leads came from: the consents the visitor gave on the form, and the
    address of the request that created the lead when no one was logged in (the public form, the booking
    page). A lead typed by staff or by the affiliate in the portal has no visitor address."""
    found: dict = {}
    consents = (Consent.objects.filter(contact__lead_id__in=lead_ids, ip_address__isnull=False)
                .exclude(source=PORTAL_CONSENT_SOURCE).values_list("contact__lead_id", "ip_address"))
    created = (AuditLog.objects.filter(entity_type=Lead._meta.label_lower, action=AuditAction.CREATE,
                                       entity_id__in=lead_ids, user__isnull=True, ip_address__isnull=False)
               .values_list("entity_id", "ip_address"))
    for lead_id, address in [*consents, *created]:
        found.setdefault(lead_id, set()).add(address)
    return found


def _shared_ip(affiliate: Affiliate, lead: Lead, attribution: AffiliateDeal, ip_address) -> RiskSignal | None:
    if attribution.source in NO_VISITOR_ADDRESS:
        return None
    window_start = attribution.attributed_at - SHARED_IP_WINDOW
    recent = list(AffiliateDeal.objects.filter(affiliate=affiliate, attributed_at__gte=window_start,
                                               attributed_at__lte=attribution.attributed_at)
                  .exclude(source__in=NO_VISITOR_ADDRESS).exclude(status=AttributionStatus.REJECTED)
                  .values_list("lead_id", flat=True))
    addresses = lead_ip_addresses(recent)
    mine = set(addresses.get(lead.pk, set())) | ({ip_address} if ip_address else set())
    addresses[lead.pk] = mine
    for address in sorted(mine):
        leads = sorted(str(lead_id) for lead_id, found in addresses.items() if address in found)
        if len(leads) < SHARED_IP_LEADS:
            continue
        # One signal per burst: later leads from the same address join the signal still open.
        open_signal = (RiskSignal.objects.select_for_update()
                       .filter(affiliate=affiliate, kind=RiskSignalKind.SHARED_IP, evidence__ip_address=address)
                       .filter(Q(reviewed_at__isnull=True) | Q(created_at__gte=timezone.now() - SHARED_IP_WINDOW))
                       .first())
        if open_signal is not None:
            if open_signal.reviewed_at is None and str(lead.pk) not in open_signal.evidence.get("leads", []):
                before = snapshot(open_signal, ["evidence"])
                open_signal.evidence = {**open_signal.evidence,
                                        "leads": sorted({*open_signal.evidence.get("leads", []), *leads})}
                open_signal.save(update_fields=["evidence", "updated_at"])
                audit_update(actor=None, instance=open_signal, before=before)
            return None
        return _raise(affiliate, RiskSignalKind.SHARED_IP, lead, {
            "ip_address": address, "leads": leads, "hours": int(SHARED_IP_WINDOW.total_seconds() // 3600)})
    return None


# --- holding commissions ---------------------------------------------------------------------------

def _hold(commissions, reason: str) -> int:
    held = 0
    for commission in commissions.select_for_update():
        before = snapshot(commission, ["held", "hold_reason"])
        commission.held, commission.hold_reason = True, reason
        commission.save(update_fields=["held", "hold_reason", "updated_at"])
        audit_update(actor=None, instance=commission, before=before)
        held += 1
    return held


def _hold_lead_commissions(affiliate: Affiliate, lead: Lead, attribution: AffiliateDeal, signals) -> int:
    """RULES.md §6: a signal holds the commissions earned on that lead until someone has looked."""
    with _tenant_language():
        kinds = ", ".join(str(RiskSignalKind(signal.kind).label) for signal in signals)
        reason = _("Held for a fraud review: %(kinds)s") % {"kinds": kinds}
    on_lead = Q(deal__lead=lead) | (Q(deal_id=attribution.deal_id) if attribution.deal_id else Q(pk__in=[]))
    return _hold(Commission.objects.filter(on_lead, affiliate=affiliate, status__in=OPEN_COMMISSIONS, held=False,
                                           payout__isnull=True), reason)


def _hold_all(affiliate: Affiliate, reason: str) -> None:
    try:
        from affiliates.commissions import hold_all
    except ImportError:  # the commission engine not there yet: the same hold, written here
        _hold(Commission.objects.filter(affiliate=affiliate, status__in=OPEN_COMMISSIONS, held=False,
                                        payout__isnull=True), reason)
    else:
        hold_all(affiliate=affiliate, reason=reason)


# --- the score -------------------------------------------------------------------------------------

def risk_points(affiliate: Affiliate) -> int:
    """The points of the signals that still count: open ones and confirmed ones (a dismissed signal has
    none left), capped at 100."""
    total = RiskSignal.objects.filter(affiliate=affiliate).aggregate(total=Sum("points"))["total"] or 0
    return min(100, total)


@transaction.atomic
def recompute_risk(affiliate: Affiliate, *, alert: bool = True) -> int:
    """Bring `risk_score` up to date. Over the tenant's `fraud_risk_suspend_over`, while a signal waits for
    review: every pending or approved commission is held and the affiliate is suspended pending review,
    and the reviewers are told (unless the caller tells them itself). Returns the score."""
    rules = current_rules()
    locked = Affiliate.objects.select_for_update().get(pk=affiliate.pk)
    score = risk_points(locked)
    if score != locked.risk_score:
        before = snapshot(locked, ["risk_score"])
        locked.risk_score = score
        locked.save(update_fields=["risk_score", "updated_at"])
        audit_update(actor=None, instance=locked, before=before)
    waiting = RiskSignal.objects.filter(affiliate=locked, reviewed_at__isnull=True).exists()
    if score > rules.fraud_risk_suspend_over and waiting:
        with _tenant_language():
            reason = _("Risk score %(score)s is over %(limit)s: held and suspended pending a review of the fraud "
                       "signals.") % {"score": score, "limit": rules.fraud_risk_suspend_over}
        _hold_all(locked, reason)
        if locked.status in (AffiliateStatus.APPROVED, AffiliateStatus.ACTIVE):
            # Through the lifecycle service, so the partner's login is closed too (nobody is terminated).
            from affiliates.applications import affiliate_suspend
            affiliate_suspend(actor=None, affiliate=locked, reason=reason)
            if alert:
                _alert(locked, [], score=score, suspended_now=True)
    affiliate.risk_score = score
    return score


def _alert(affiliate: Affiliate, signals: list[RiskSignal], *, score: int, suspended_now: bool) -> None:
    link = reverse("affiliates:risk") + f"?affiliate={affiliate.pk}"
    for user in reviewers():
        with in_language_of(user):
            if suspended_now:
                title = _("%(name)s is suspended pending review: risk score %(score)s") % {
                    "name": affiliate.full_name, "score": score}
            else:
                title = _("Fraud signal on %(name)s: risk score %(score)s") % {"name": affiliate.full_name,
                                                                                 "score": score}
            lines = []
            for signal in signals:
                lines.append(str(RiskSignalKind(signal.kind).label))
                lines += ["• " + line for line in describe(signal)]
            lines.append(_("Nobody is terminated automatically: review the signals and decide."))
            body = "\n".join(lines)
        notify(user=user, type=NotificationType.AFFILIATE_ALERT, title=title, body=body, url=link)


# --- reviewing -------------------------------------------------------------------------------------

@transaction.atomic
def review_signal(*, actor, signal: RiskSignal, note: str, confirm: bool = False) -> RiskSignal:
    """A manager's decision on a signal, with a note: confirmed (its points keep counting) or dismissed
    (its points are taken away, which lowers the score). Nothing is released or reinstated here: below
    the threshold a manager releases the held commissions with `release_held`."""
    roles.require(actor, roles.COMMISSIONS_APPROVE)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what you found, for whoever looks at this next.")}, code="note_required")
    locked = RiskSignal.objects.select_for_update().get(pk=signal.pk)
    if locked.reviewed_at is not None:
        raise ValidationError(_("This signal was already reviewed."), code="already_reviewed")
    before = snapshot(locked, ["reviewed_at", "reviewed_by", "review_note", "points"])
    locked.reviewed_at, locked.reviewed_by, locked.review_note = timezone.now(), actor, note
    if not confirm:
        locked.points = 0
    locked.full_clean()
    locked.save()
    audit_update(actor=actor, instance=locked, before=before)
    recompute_risk(locked.affiliate)
    return locked


def is_dismissed(signal: RiskSignal) -> bool:
    return signal.reviewed_at is not None and signal.points == 0


def held_commissions(affiliate: Affiliate):
    """The affiliate's commissions on hold that no open dispute is holding."""
    disputed = Dispute.objects.filter(status__in=OPEN_DISPUTES, commission__isnull=False).values("commission_id")
    return (Commission.objects.filter(affiliate=affiliate, held=True, status__in=OPEN_COMMISSIONS)
            .exclude(pk__in=disputed))


@transaction.atomic
def release_held(*, actor, affiliate: Affiliate) -> int:
    """A manager releases the commissions held for the fraud review, once the score is back at or under
    the threshold. Returns how many were released."""
    roles.require(actor, roles.COMMISSIONS_APPROVE)
    rules = current_rules()
    locked = Affiliate.objects.select_for_update().get(pk=affiliate.pk)
    if risk_points(locked) > rules.fraud_risk_suspend_over:
        raise ValidationError(_("The risk score is still over %(limit)s: review the open signals first.")
                              % {"limit": rules.fraud_risk_suspend_over}, code="still_risky")
    released = 0
    for commission in held_commissions(locked).select_for_update():
        before = snapshot(commission, ["held", "hold_reason"])
        commission.held, commission.hold_reason = False, ""
        commission.save(update_fields=["held", "hold_reason", "updated_at"])
        audit_update(actor=actor, instance=commission, before=before)
        released += 1
    return released


# --- saying what a signal means --------------------------------------------------------------------

def describe(signal: RiskSignal) -> list[str]:
    """The evidence in sentences, in the active language."""
    evidence = signal.evidence or {}
    fields = {"phone": _("phone"), "email": _("email")}
    if signal.kind == RiskSignalKind.SELF_REFERRAL:
        matched = ", ".join(str(fields.get(name, name)) for name in evidence.get("matched_on", []))
        return [_("The lead carries the affiliate's own %(fields)s.") % {"fields": matched}]
    if signal.kind == RiskSignalKind.DUPLICATE_LEAD:
        lines = []
        if evidence.get("duplicate_of"):
            count = len(evidence["duplicate_of"])
            matched = ", ".join(str(fields.get(name, name)) for name in evidence.get("matched_on", []))
            lines.append(ngettext("Same %(fields)s as %(count)s other lead.", "Same %(fields)s as %(count)s other leads.",
                                  count) % {"fields": matched, "count": count})
        if evidence.get("existed_before_referral"):
            created = datetime.datetime.fromisoformat(evidence["lead_created_at"])
            claimed = datetime.datetime.fromisoformat(evidence["attributed_at"])
            days = max(0, (claimed - created).days)
            lines.append(ngettext("The lead was already ours %(days)s day before the affiliate referred it.",
                                  "The lead was already ours %(days)s days before the affiliate referred it.",
                                  days) % {"days": days})
        return lines
    if signal.kind == RiskSignalKind.LEAD_SPIKE:
        count = int(evidence.get("leads_this_week") or 0)
        return [ngettext("%(count)s lead in the week from %(week)s, against a usual %(average)s a week over the "
                         "previous %(weeks)s weeks (a spike is over %(factor)s× that, and at least %(minimum)s).",
                         "%(count)s leads in the week from %(week)s, against a usual %(average)s a week over the "
                         "previous %(weeks)s weeks (a spike is over %(factor)s× that, and at least %(minimum)s).",
                         count) % {
            "count": count, "week": evidence.get("week_start"),
            "average": evidence.get("weekly_average"), "weeks": evidence.get("weeks_compared"),
            "factor": evidence.get("factor"), "minimum": evidence.get("minimum")}]
    if signal.kind == RiskSignalKind.SHARED_IP:
        count = len(evidence.get("leads", []))
        return [ngettext("%(count)s lead from the IP address %(ip)s within %(hours)s hours.",
                         "%(count)s leads from the IP address %(ip)s within %(hours)s hours.", count) % {
            "count": count, "ip": evidence.get("ip_address"), "hours": evidence.get("hours")}]
    return []


def evidence_lead_ids(signal: RiskSignal) -> list[str]:
    """The other leads the evidence names (duplicates, leads from the same address)."""
    evidence = signal.evidence or {}
    ids = [*evidence.get("duplicate_of", []), *evidence.get("leads", [])]
    return [lead_id for lead_id in dict.fromkeys(ids) if lead_id != str(signal.lead_id)]
