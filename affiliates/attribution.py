"""Who brought a lead (RULES.md §6, "Attribution"). One row of `AffiliateDeal` per affiliate and lead.

A claim arrives with an affiliate's referral code (the lead form's or the booking page's `?ref=`, the
code column of a lead import) or from the affiliate's own portal. The rules, as applied here:

* Only an approved or active affiliate's code attributes anything; codes match whatever their case. A
  suspended or terminated affiliate's code is refused, and the refusal is logged and audited on the lead.
* The first affiliate to register a lead owns it for `attribution_days` from registration
  (`expires_at`). While the lead's deal is in negotiation the window is `negotiation_extension_days`
  longer; it shrinks back when the deal leaves negotiation without being won. So `expires_at` is always
  `attributed_at` + the days of the window, and the extension can be recomputed at any time.
* A later claim by another affiliate inside the window is kept as `rejected` (a conflict managers see),
  unless it came the same Riyadh day as the owner's: then the claim with a recorded direct interaction
  wins; when both or neither have one, the first stays and the tie waits for an admin.
* Once the window has run out (`expire_attributions`, status `expired`), a new claim wins.
* An admin may split a lead among affiliates (shares summing to exactly 100) or move it, with a note.

Every decision about a lead is taken with its row locked, so two claims arriving together are decided
one after the other and exactly one of them is first.
"""
from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates.choices import AffiliateStatus, AttributionSource, AttributionStatus
from affiliates.fraud import check_lead
from affiliates.models import Affiliate, AffiliateDeal
from compliance.choices import ConsentChannel
from compliance.services import consent_record
from crm import services as crm_services
from crm.choices import DealStage, LeadSource
from crm.models import Contact, Deal, Lead
from dealix.accounts import roles
from dealix.accounts.models import User
from dealix.core.audit import audit, audit_create, audit_update, current_ip, snapshot
from dealix.core.choices import AuditAction
from dealix.core.models import AuditLog
from dealix.core.notifications import NotificationType, in_language_of, notify
from dealix.core.phones import normalise_phone
from dealix.core.states import transition
from dealix.core.text import normalise_digits
from dealix.tenancy.rules import current_rules

logger = logging.getLogger(__name__)

# Only these affiliates' codes attribute anything.
ATTRIBUTING = (AffiliateStatus.APPROVED, AffiliateStatus.ACTIVE)
# The statuses in which an affiliate holds a lead; a pending one only until its window runs out.
OWNING = (AttributionStatus.PENDING, AttributionStatus.CONFIRMED, AttributionStatus.DISPUTED, AttributionStatus.PAID)
# Once the deal is won the commission follows these rows; changing them is a dispute, not a split.
SETTLED = (AttributionStatus.CONFIRMED, AttributionStatus.DISPUTED, AttributionStatus.PAID)
# Splitting or moving a lead changes who is paid, so it is an admin's act, like paying and clawing back.
SPLIT_CAPABILITY = roles.COMMISSIONS_PAY
# The key of the lead's audit row that records an admin's split (a same-day tie then counts as decided).
SPLIT_AUDIT_KEY = "attribution_shares"
PORTAL_CONSENT_SOURCE = "affiliate_portal"
CODE_LENGTH = 20
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
BULK_CHUNK = 2000


# --- small pieces --------------------------------------------------------------------------------

def normalise_code(code) -> str:
    """A referral code as stored: ASCII letters and digits, in capitals (`?ref=abc-123` → `ABC123`)."""
    text = normalise_digits(str(code or "")).upper()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())[:CODE_LENGTH]


def riyadh_day(moment: dt.datetime) -> dt.date:
    """The calendar day of `moment` in the tenant's time zone (Riyadh unless the owner changed it)."""
    return timezone.localtime(moment, ZoneInfo(current_rules().time_zone)).date()


def window_end(start: dt.datetime, *, in_negotiation: bool) -> dt.datetime:
    rules = current_rules()
    days = rules.attribution_days + (rules.negotiation_extension_days if in_negotiation else 0)
    return start + dt.timedelta(days=days)


def _in_negotiation(lead_id) -> bool:
    return Deal.objects.filter(lead_id=lead_id, stage=DealStage.NEGOTIATION).exists()


def owns(row: AffiliateDeal, at: dt.datetime | None = None) -> bool:
    """Whether the row holds its lead at `at`: settled by a won deal, or pending inside its window."""
    at = at or timezone.now()
    return row.status in OWNING and (row.status != AttributionStatus.PENDING or row.expires_at > at)


def _lock_lead(lead) -> Lead:
    return Lead.objects.select_for_update().get(pk=getattr(lead, "pk", lead))


def _rows_of(lead: Lead) -> list[AffiliateDeal]:
    return list(AffiliateDeal.objects.select_for_update(of=("self",)).select_related("affiliate")
                .filter(lead=lead).order_by("attributed_at", "created_at"))


def _expire(row: AffiliateDeal, *, actor=None) -> AffiliateDeal:
    return transition(actor=actor, instance=row, target=AttributionStatus.EXPIRED)


def _expire_overdue(rows: list[AffiliateDeal], at: dt.datetime) -> list[AffiliateDeal]:
    """Expire the pending rows whose window ran out before `at` (the periodic job may not have run yet)."""
    fresh = []
    for row in rows:
        if row.status == AttributionStatus.PENDING and row.expires_at <= at:
            row = _expire(row)
        fresh.append(row)
    return fresh


def _check_for_fraud(lead_id, ip_address) -> None:
    """The fraud checks (RULES.md §6) look at every lead an affiliate wins, once it is committed; a
    failing check is logged and never undoes the attribution."""
    transaction.on_commit(lambda: check_lead(str(lead_id), ip_address=ip_address), robust=True)


def _refuse(*, lead: Lead, affiliate: Affiliate, code: str, source: str, actor=None) -> None:
    logger.warning("Referral code %s of %s affiliate %s refused for lead %s (%s)", code, affiliate.status,
                   affiliate.pk, lead.pk, source)
    audit(actor=actor, action=AuditAction.UPDATE, instance=lead, changes={"referral_refused": [None, {
        "code": code, "affiliate": str(affiliate.pk), "affiliate_status": affiliate.status, "source": source}]})


# --- claims --------------------------------------------------------------------------------------

@transaction.atomic
def attribute_lead(*, lead, code: str, source: str, at=None, direct_interaction=False, actor=None,
                   ip_address=None) -> AffiliateDeal | None:
    """Record a claim of `lead` by the affiliate whose referral code is `code`, and decide it.

    Returns the affiliate's row for the lead: `pending` when the affiliate holds the lead (won now or
    earlier), `rejected` when another affiliate holds it (a conflict), or None when the code attributes
    nothing (unknown, or the affiliate is not approved or active)."""
    at = at or timezone.now()
    code = normalise_code(code)
    if not code:
        return None
    affiliate = Affiliate.objects.filter(referral_code=code).first()
    if affiliate is None:
        logger.info("Referral code %s matches no affiliate (lead %s, %s)", code, getattr(lead, "pk", lead), source)
        return None
    lead = _lock_lead(lead)
    if affiliate.status not in ATTRIBUTING:
        _refuse(lead=lead, affiliate=affiliate, code=code, source=source, actor=actor)
        return None
    rows = _expire_overdue(_rows_of(lead), at)
    mine = next((row for row in rows if row.affiliate_id == affiliate.pk), None)
    others = [row for row in rows if row.affiliate_id != affiliate.pk and owns(row, at)]
    claim = {"source": source, "direct_interaction": direct_interaction, "at": at, "actor": actor}

    if mine is not None and owns(mine, at):
        if direct_interaction and not mine.direct_interaction:
            before = snapshot(mine, ["direct_interaction"])
            mine.direct_interaction = True
            mine.save(update_fields=["direct_interaction", "updated_at"])
            audit_update(actor=actor, instance=mine, before=before)
        return mine
    if not others:
        return _win(lead=lead, affiliate=affiliate, mine=mine, ip_address=ip_address, **claim)

    owner = others[0] if len(others) == 1 else None
    can_win = mine is None or mine.status == AttributionStatus.REJECTED
    if (can_win and owner is not None and owner.status == AttributionStatus.PENDING
            and owner.share_percent == HUNDRED and riyadh_day(owner.attributed_at) == riyadh_day(at)
            and direct_interaction and not owner.direct_interaction):
        # A same-day tie goes to the affiliate who recorded talking to the lead.
        transition(actor=actor, instance=owner, target=AttributionStatus.REJECTED)
        return _win(lead=lead, affiliate=affiliate, mine=mine, ip_address=ip_address, **claim)
    # Another affiliate holds the lead: the claim is kept, rejected, for managers to see (and, on a
    # same-day tie with equal standing, for an admin to decide: see `conflicts`).
    if mine is not None:
        return mine
    row = AffiliateDeal(affiliate=affiliate, lead=lead, status=AttributionStatus.REJECTED, attributed_at=at,
                        expires_at=window_end(at, in_negotiation=False), source=source,
                        direct_interaction=direct_interaction)
    row.full_clean()
    row.save()
    audit_create(actor=actor, instance=row)
    if (owner is not None and riyadh_day(owner.attributed_at) == riyadh_day(at)
            and owner.direct_interaction == direct_interaction):
        _alert_admins_of_tie(lead=lead, first=owner, second=row)
    return row


def _alert_admins_of_tie(*, lead: Lead, first: AffiliateDeal, second: AffiliateDeal) -> None:
    """RULES.md §6 leaves a same-day tie of equal standing to an admin: tell the admins where to decide."""
    url = reverse("affiliates:attribution_lead", args=[lead.pk])
    names = {"lead": lead.full_name, "first": first.affiliate.full_name, "second": second.affiliate.full_name}
    for user in User.objects.filter(is_active=True).order_by("full_name"):
        if not roles.can(user, SPLIT_CAPABILITY):
            continue
        with in_language_of(user):
            title = _("Same-day attribution tie on %(lead)s: an admin decides") % names
            if first.direct_interaction:
                body = _("%(first)s and %(second)s both claimed this lead the same day, and both recorded a direct "
                         "interaction. %(first)s holds it until you split it or move it.") % names
            else:
                body = _("%(first)s and %(second)s both claimed this lead the same day, and neither recorded a "
                         "direct interaction. %(first)s holds it until you split it or move it.") % names
        notify(user=user, type=NotificationType.AFFILIATE_ALERT, title=title, body=body, url=url)


def _win(*, lead: Lead, affiliate: Affiliate, mine: AffiliateDeal | None, source: str, direct_interaction: bool,
         at: dt.datetime, actor, ip_address) -> AffiliateDeal:
    expires_at = window_end(at, in_negotiation=_in_negotiation(lead.pk))
    if mine is None:
        row = AffiliateDeal(affiliate=affiliate, lead=lead, status=AttributionStatus.PENDING, attributed_at=at,
                            expires_at=expires_at, source=source, direct_interaction=direct_interaction)
        row.full_clean()
        row.save()
        audit_create(actor=actor, instance=row)
    elif mine.status == AttributionStatus.REJECTED:
        # The affiliate's earlier claim lost while another held the lead; now nobody does, so this claim
        # registers the lead afresh.
        row = transition(actor=actor, instance=mine, target=AttributionStatus.PENDING, changes={
            "attributed_at": at, "expires_at": expires_at, "source": source, "share_percent": HUNDRED,
            "direct_interaction": direct_interaction or mine.direct_interaction, "note": ""})
    else:
        # An expired attribution stays expired (the data model's state machine ends there), and there is
        # one row per affiliate and lead: the affiliate's own earlier window does not come back.
        logger.info("Affiliate %s claimed lead %s again after its attribution expired", affiliate.pk, lead.pk)
        return mine
    _check_for_fraud(lead.pk, ip_address)
    return row


def attribute_lead_id(*, lead_id, code: str, source: str, ip_address=None) -> AffiliateDeal | None:
    """`attribute_lead` for the CRM's signals, which carry ids."""
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        return None
    return attribute_lead(lead=lead, code=code, source=source, ip_address=ip_address)


def attribute_referrals(*, referrals, source: str, ip_address=None, at=None) -> int:
    """Attribute the leads of an import in bulk: `referrals` is [(lead_id, code), ...]. A lead nobody has
    claimed before (every new lead of the file) is attributed with one insert per chunk; a lead that
    already has claims goes through `attribute_lead` and its rules. Returns how many leads were won."""
    at = at or timezone.now()
    pairs = [(lead_id, normalise_code(code)) for lead_id, code in referrals]
    pairs = [(lead_id, code) for lead_id, code in pairs if code]
    affiliates = {affiliate.referral_code: affiliate
                  for affiliate in Affiliate.objects.filter(referral_code__in={code for _id, code in pairs})}
    pairs = sorted(((str(lead_id), affiliates[code]) for lead_id, code in pairs if code in affiliates),
                   key=lambda pair: pair[0])
    won = 0
    for start in range(0, len(pairs), BULK_CHUNK):
        won += _attribute_chunk(pairs[start:start + BULK_CHUNK], source=source, ip_address=ip_address, at=at)
    return won


@transaction.atomic
def _attribute_chunk(pairs, *, source: str, ip_address, at) -> int:
    ids = sorted({lead_id for lead_id, _affiliate in pairs})
    leads = {str(lead.pk): lead for lead in Lead.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    claimed = {str(lead_id) for lead_id in AffiliateDeal.objects.filter(lead_id__in=ids)
               .values_list("lead_id", flat=True)}
    negotiating = {str(lead_id) for lead_id in Deal.objects.filter(lead_id__in=ids, stage=DealStage.NEGOTIATION)
                   .values_list("lead_id", flat=True)}
    new_rows, one_by_one = [], []
    for lead_id, affiliate in pairs:
        lead = leads.get(lead_id)
        if lead is None:
            continue
        if affiliate.status not in ATTRIBUTING:
            _refuse(lead=lead, affiliate=affiliate, code=affiliate.referral_code, source=source)
        elif lead_id in claimed:
            one_by_one.append((lead, affiliate))
        else:
            claimed.add(lead_id)
            new_rows.append(AffiliateDeal(affiliate=affiliate, lead=lead, status=AttributionStatus.PENDING,
                                          attributed_at=at, source=source,
                                          expires_at=window_end(at, in_negotiation=lead_id in negotiating)))
    AffiliateDeal.objects.bulk_create(new_rows, batch_size=1000)
    ip = current_ip.get()
    AuditLog.objects.bulk_create([
        AuditLog(user=None, action=AuditAction.CREATE, entity_type=row._meta.label_lower, entity_id=row.pk,
                 ip_address=ip, changes={key: [None, value] for key, value in snapshot(row).items()
                                         if value not in (None, "")})
        for row in new_rows], batch_size=1000)
    for row in new_rows:
        _check_for_fraud(row.lead_id, ip_address)
    won = len(new_rows)
    for lead, affiliate in one_by_one:
        row = attribute_lead(lead=lead, code=affiliate.referral_code, source=source, at=at, ip_address=ip_address)
        won += int(row is not None and owns(row, at) and row.attributed_at == at)
    return won


# --- the partner portal --------------------------------------------------------------------------

@transaction.atomic
def register_lead_by_affiliate(*, affiliate: Affiliate, data: dict, consents: list[str], ip_address=None) -> Lead:
    """An affiliate registers a person they talked to: the lead, its contact and the consents the person
    gave, attributed to the affiliate with a direct interaction recorded. A person already known here
    (same phone or email) is refused without saying anything about the record we hold."""
    affiliate = Affiliate.objects.get(pk=affiliate.pk)
    if affiliate.status not in ATTRIBUTING:
        raise ValidationError(_("Your partner account is not active, so you cannot register leads."),
                              code="affiliate_inactive")
    full_name = " ".join(str(data.get("full_name") or "").split())
    phone_typed = str(data.get("phone") or "").strip()
    email = str(data.get("email") or "").strip().lower()
    errors = {}
    if not full_name:
        errors["full_name"] = _("Enter the person's name.")
    phone = normalise_phone(phone_typed) if phone_typed else ""
    if phone_typed and phone is None:
        errors["phone"] = _("Enter a valid mobile number, for example 0501234567.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
    if not phone_typed and not email:
        errors["phone"] = _("Give a mobile number or an email so we can reach the person.")
    chosen = [channel for channel in dict.fromkeys(consents or []) if channel]
    unknown = [channel for channel in chosen if channel not in ConsentChannel.values]
    if unknown or not chosen:
        errors["consents"] = _("Tick each way the person agreed to be contacted (at least one).")
    elif any(not (email if channel == ConsentChannel.EMAIL else phone_typed) for channel in chosen):
        errors["consents"] = _("A consent to be emailed needs the email address, and a consent to be called or "
                               "messaged needs the mobile number.")
    if errors:
        raise ValidationError(errors)

    # Two registrations of the same person at once: the second waits here and then sees the first.
    with connection.cursor() as cursor:
        for key in sorted(filter(None, (phone, email))):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"affiliates.register:{key}"])
    same_lead, same_contact = Q(pk__in=[]), Q(pk__in=[])
    if phone:
        same_lead |= Q(phone=phone)
        same_contact |= Q(phone=phone) | Q(whatsapp=phone)
    if email:
        same_lead |= Q(email=email)
        same_contact |= Q(email=email)
    if Lead.objects.filter(same_lead).exists() or Contact.objects.filter(same_contact).exists():
        raise ValidationError(_("This person is already in our records, so they cannot be registered as a new "
                                "referral. If you introduced them, contact the partner team."),
                              code="duplicate_lead")

    lead = crm_services.lead_create(actor=None, data={
        "full_name": full_name, "phone": phone, "email": email,
        "company_name": str(data.get("company_name") or "").strip(), "sector": str(data.get("sector") or ""),
        "city": str(data.get("city") or "").strip(),
        "notes": str(data.get("notes") or data.get("message") or "").strip(),
        "source": LeadSource.AFFILIATE,
    })
    Lead.objects.filter(pk=lead.pk).update(referral_code=affiliate.referral_code)
    lead.referral_code = affiliate.referral_code
    contact = Contact(full_name=lead.full_name, phone=lead.phone, email=lead.email, lead=lead, owner=lead.assigned_to)
    contact.full_clean()
    contact.save()
    audit_create(actor=affiliate.user, instance=contact)
    for channel in chosen:
        consent_record(actor=affiliate.user, contact=contact, channel=channel, granted=True,
                       source=PORTAL_CONSENT_SOURCE, ip_address=ip_address)
    attribute_lead(lead=lead, code=affiliate.referral_code, source=AttributionSource.PORTAL, direct_interaction=True,
                   actor=affiliate.user, ip_address=ip_address)
    return lead


# --- reading -------------------------------------------------------------------------------------

def current_attributions(lead, at=None) -> list[AffiliateDeal]:
    """The affiliate(s) holding the lead at `at` (now by default), largest share first."""
    at = at or timezone.now()
    rows = AffiliateDeal.objects.select_related("affiliate").filter(lead=lead, status__in=OWNING) \
        .filter(~Q(status=AttributionStatus.PENDING) | Q(expires_at__gt=at)).order_by("-share_percent", "attributed_at")
    return list(rows)


def _holding(at) -> Q:
    return Q(status__in=OWNING) & (~Q(status=AttributionStatus.PENDING) | Q(expires_at__gt=at))


def conflicts(*, needs_admin: bool = False, at=None):
    """Claims set aside because another affiliate held the lead (status `rejected`), newest first, each
    annotated with `needs_admin`: a same-day tie where neither or both recorded a direct interaction,
    which no admin has decided (split or moved the lead) since."""
    at = at or timezone.now()
    zone = ZoneInfo(current_rules().time_zone)
    tie = (AffiliateDeal.objects.filter(_holding(at), lead=OuterRef("lead"),
                                        direct_interaction=OuterRef("direct_interaction"))
           .exclude(affiliate=OuterRef("affiliate"))
           .annotate(day=TruncDate("attributed_at", tzinfo=zone)).filter(day=OuterRef("day")))
    decided = AuditLog.objects.filter(entity_type=Lead._meta.label_lower, entity_id=OuterRef("lead_id"),
                                      changes__has_key=SPLIT_AUDIT_KEY, created_at__gte=OuterRef("created_at"))
    rows = (AffiliateDeal.objects.filter(status=AttributionStatus.REJECTED)
            .select_related("affiliate", "lead")
            .annotate(day=TruncDate("attributed_at", tzinfo=zone))
            .annotate(needs_admin=ExpressionWrapper(Exists(tie) & ~Exists(decided) & Q(note=""),
                                                    output_field=BooleanField()))
            .order_by("-attributed_at", "-id"))
    return rows.filter(needs_admin=True) if needs_admin else rows


def explain_conflicts(rows, at=None) -> list[dict]:
    """For a page of `conflicts()`: each claim with who holds its lead now and why the claim lost, as
    words a manager reads. Two queries, whatever the page size."""
    at = at or timezone.now()
    rows = list(rows)
    lead_ids = {row.lead_id for row in rows}
    holders: dict = {}
    for holder in (AffiliateDeal.objects.filter(_holding(at), lead_id__in=lead_ids).select_related("affiliate")
                   .order_by("-share_percent", "attributed_at")):
        holders.setdefault(holder.lead_id, []).append(holder)
    explained = []
    for row in rows:
        held_by = holders.get(row.lead_id, [])
        same_day = next((holder for holder in held_by
                         if riyadh_day(holder.attributed_at) == riyadh_day(row.attributed_at)), None)
        if row.note:
            reason = _("Set aside by an admin: %(note)s") % {"note": row.note}
        elif not held_by:
            reason = _("Nobody holds this lead now; a new claim would win it.")
        elif getattr(row, "needs_admin", False):
            reason = _("Same-day tie with equal standing: an admin decides.")
        elif same_day is not None and same_day.direct_interaction and not row.direct_interaction:
            reason = _("Same day, and the other affiliate recorded a direct interaction.")
        elif same_day is not None:
            reason = _("Same-day tie, already decided by an admin.")
        else:
            reason = _("Claimed while another affiliate held the lead.")
        explained.append({"claim": row, "holders": held_by, "reason": reason})
    return explained


def recent_attributions(limit: int = 20) -> list[AffiliateDeal]:
    return list(AffiliateDeal.objects.exclude(status=AttributionStatus.REJECTED)
                .select_related("affiliate", "lead", "deal").order_by("-attributed_at", "-id")[:limit])


def _amounts(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """`total` divided by `shares` (percent) to the halala, the rounding remainder on the largest share,
    so the parts always add up to the total."""
    amounts = [(total * share / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP) for share in shares]
    if amounts:
        largest = max(range(len(shares)), key=lambda index: shares[index])
        amounts[largest] += total - sum(amounts)
    return amounts


@transaction.atomic
def attributions_for_won_deal(deal) -> list[AffiliateDeal]:
    """The attributions a won deal pays commission on: the lead's holders when the deal closed, now
    linked to the deal, `confirmed`, with `attributed_revenue` = the deal's value × their share.
    Running it again returns the same rows unchanged."""
    deal = Deal.objects.get(pk=getattr(deal, "pk", deal))
    if deal.lead_id is None:
        return []
    rows = _rows_of(_lock_lead(deal.lead_id))
    linked = [row for row in rows if row.deal_id == deal.pk and row.status in SETTLED]
    if linked:
        return sorted(linked, key=lambda row: (-row.share_percent, row.attributed_at))
    closed_at = deal.closed_at or timezone.now()
    rows = _expire_overdue(rows, closed_at)
    # A claim registered after the deal closed did not bring it.
    holders = sorted((row for row in rows if row.status == AttributionStatus.PENDING
                      and row.attributed_at <= closed_at < row.expires_at),
                     key=lambda row: (-row.share_percent, row.attributed_at))
    amounts = _amounts(deal.value, [row.share_percent for row in holders])
    return [transition(actor=None, instance=row, target=AttributionStatus.CONFIRMED,
                       changes={"deal": deal, "attributed_revenue": amount})
            for row, amount in zip(holders, amounts)]


# --- deals moving --------------------------------------------------------------------------------

@transaction.atomic
def follow_deal_stage(*, deal_id, stage: str, now=None) -> int:
    """Lengthen the lead's running windows while one of its deals is in negotiation, and shorten them
    back when none is (unless the deal was won: then the rows are confirmed, see above). Returns how
    many rows changed."""
    if stage == DealStage.CLOSED_WON:
        return 0
    lead_id = Deal.objects.filter(pk=deal_id).values_list("lead_id", flat=True).first()
    if lead_id is None:
        return 0
    now = now or timezone.now()
    lead = _lock_lead(lead_id)
    in_negotiation = _in_negotiation(lead_id)
    changed = 0
    for row in _rows_of(lead):
        if row.status != AttributionStatus.PENDING or row.expires_at <= now:
            continue
        target = window_end(row.attributed_at, in_negotiation=in_negotiation)
        if target != row.expires_at:
            before = snapshot(row, ["expires_at"])
            row.expires_at = target
            row.save(update_fields=["expires_at", "updated_at"])
            audit_update(actor=None, instance=row, before=before)
            changed += 1
    return changed


def expire_attributions(now_iso: str | None = None) -> int:
    """Periodic: the pending attributions whose window ran out become `expired`, freeing their leads for
    a new claim. Idempotent; returns how many expired."""
    now = dt.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now, ZoneInfo(current_rules().time_zone))
    count = 0
    for pk in list(AffiliateDeal.objects.filter(status=AttributionStatus.PENDING, expires_at__lte=now)
                   .values_list("pk", flat=True)):
        with transaction.atomic():
            row = (AffiliateDeal.objects.select_for_update()
                   .filter(pk=pk, status=AttributionStatus.PENDING, expires_at__lte=now).first())
            if row is not None:
                _expire(row)
                count += 1
    return count


# --- an admin's split ----------------------------------------------------------------------------

def _parse_shares(shares: dict) -> dict[str, Decimal]:
    parsed: dict[str, Decimal] = {}
    for key, value in (shares or {}).items():
        affiliate_id = str(getattr(key, "pk", key))
        try:
            share = value if isinstance(value, Decimal) else Decimal(str(value).strip() or "0")
        except (InvalidOperation, ValueError):
            raise ValidationError({"shares": _("Each share is a number of percent, such as 50 or 33.33.")},
                                  code="bad_share")
        if not share.is_finite() or share < 0 or share > HUNDRED or share != share.quantize(CENT):
            raise ValidationError({"shares": _("Each share is between 0 and 100 %, with at most two decimals.")},
                                  code="bad_share")
        if share:
            parsed[affiliate_id] = parsed.get(affiliate_id, Decimal("0")) + share
    if not parsed:
        raise ValidationError({"shares": _("Give at least one affiliate a share.")}, code="no_share")
    total = sum(parsed.values(), Decimal("0"))
    if total != HUNDRED:
        raise ValidationError({"shares": _("The shares add up to %(total)s %%; they must add up to exactly 100 %%.")
                               % {"total": total}}, code="shares_not_100")
    return parsed


@transaction.atomic
def attribution_split(*, actor, lead, shares: dict, note: str) -> list[AffiliateDeal]:
    """An admin decides who holds a lead: `shares` maps affiliates (or their ids) to percent, summing to
    exactly 100. One affiliate at 100 moves the lead to them. Everyone else holding the lead is set
    aside (`rejected`). The holders keep the lead's running window (a new one starts if none is
    running). Audited on every row and, with the note, on the lead."""
    roles.require(actor, SPLIT_CAPABILITY)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write why you split or moved this lead.")}, code="note_required")
    parsed = _parse_shares(shares)
    affiliates = {str(affiliate.pk): affiliate for affiliate in Affiliate.objects.filter(pk__in=list(parsed))}
    if len(affiliates) != len(parsed):
        raise ValidationError({"shares": _("One of these affiliates does not exist.")}, code="unknown_affiliate")
    for affiliate in affiliates.values():
        if affiliate.status not in ATTRIBUTING:
            raise ValidationError({"shares": _("%(name)s is %(status)s and cannot be given a lead.") % {
                "name": affiliate.full_name, "status": affiliate.get_status_display()}}, code="affiliate_inactive")
    lead = _lock_lead(lead)
    now = timezone.now()
    rows = _rows_of(lead)
    if any(row.status in SETTLED for row in rows):
        raise ValidationError(_("This lead's deal is already won and its commission follows the attribution at "
                                "that time. Change it through a dispute instead."), code="already_settled")
    rows = _expire_overdue(rows, now)
    by_affiliate = {str(row.affiliate_id): row for row in rows}
    for affiliate_id in parsed:
        row = by_affiliate.get(affiliate_id)
        if row is not None and row.status == AttributionStatus.EXPIRED:
            raise ValidationError({"shares": _("%(name)s's attribution of this lead has expired and cannot be given "
                                               "back.") % {"name": row.affiliate.full_name}}, code="expired")
    before = {str(row.affiliate_id): str(row.share_percent) for row in rows if owns(row, now)}
    holders = [row for row in rows if owns(row, now)]
    if holders:
        start = min(row.attributed_at for row in holders)
    else:
        start = now
    expires_at = window_end(start, in_negotiation=_in_negotiation(lead.pk))

    for row in rows:
        if str(row.affiliate_id) not in parsed and row.status == AttributionStatus.PENDING:
            transition(actor=actor, instance=row, target=AttributionStatus.REJECTED, changes={"note": note})
    for affiliate_id, share in parsed.items():
        row = by_affiliate.get(affiliate_id)
        if row is None:
            row = AffiliateDeal(affiliate=affiliates[affiliate_id], lead=lead, status=AttributionStatus.PENDING,
                                attributed_at=start, expires_at=expires_at, source=AttributionSource.ADMIN,
                                share_percent=share, note=note)
            row.full_clean()
            row.save()
            audit_create(actor=actor, instance=row)
        elif row.status == AttributionStatus.REJECTED:
            transition(actor=actor, instance=row, target=AttributionStatus.PENDING, changes={
                "share_percent": share, "note": note, "attributed_at": start, "expires_at": expires_at})
        else:
            before_row = snapshot(row, ["share_percent", "note", "attributed_at", "expires_at"])
            row.share_percent, row.note, row.attributed_at, row.expires_at = share, note, start, expires_at
            row.full_clean()
            row.save(update_fields=["share_percent", "note", "attributed_at", "expires_at", "updated_at"])
            audit_update(actor=actor, instance=row, before=before_row)
    audit(actor=actor, action=AuditAction.UPDATE, instance=lead, changes={
        SPLIT_AUDIT_KEY: [before, {affiliate_id: str(share) for affiliate_id, share in parsed.items()}],
        "attribution_note": [None, note]})
    return current_attributions(lead, at=now)
