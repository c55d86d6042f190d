"""Joining the partner programme and an affiliate's standing in it (RULES.md §6): the public application
with its evaluation, a manager's approval (login, referral code, recorded policy acceptance, welcome
email) or rejection (reapply after `reapply_after_days`), and suspension, reinstatement and termination.

A rejected application is closed as `terminated` with `rejected_at` set, because the state machine has no
"rejected" state and a rejected application must never be approved later by mistake; reapplying after
the waiting period creates a new application (the old row stays as the record of the first one).

A suspended or terminated affiliate's login is deactivated rather than fenced by each portal page: an
inactive user cannot log in, their open sessions stop authenticating at the next request (Django's
ModelBackend refuses inactive users), and `roles.can` answers no for them, so no portal page can forget
the check. Reinstating reactivates the login.

Who may do what: managers approve, reject, suspend and terminate (the capability that lets them run
the programme's money, COMMISSIONS_APPROVE); reinstating re-opens a login after a fraud or conduct
review, so it is for admins (USERS_MANAGE). `affiliate_suspend(actor=None)` is the fraud rules' own
suspension (a risk score over the threshold) and is audited without a user.
"""
from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.encoding import force_bytes
from django.utils.html import linebreaks, urlize
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _, gettext_lazy, ngettext, ngettext_lazy

from affiliates.choices import AffiliateStatus, AttributionStatus, CommissionStatus, Tier
from affiliates.models import Affiliate, PolicyAcceptance
from compliance.choices import PolicyType
from compliance.models import Policy
from crm.choices import Sector, TemplateType
from dealix.accounts import roles
from dealix.accounts.choices import Language, Role
from dealix.accounts.models import User
from dealix.accounts.services import user_create
from dealix.core.audit import audit_create, audit_update, snapshot
from dealix.core.jobs import enqueue
from dealix.core.phones import normalise_phone
from dealix.core.states import transition
from dealix.core.templatetags.dealix import hijri_text
from dealix.tenancy.rules import current_rules

MANAGE = roles.COMMISSIONS_APPROVE      # approve, reject, suspend, terminate
REINSTATE = roles.USERS_MANAGE          # re-open a suspended affiliate's login
PROGRAMME_POLICY_TYPES = (PolicyType.COMMISSION, PolicyType.AFFILIATE_RULES)
# Statuses in which an affiliate (or a pending application) holds its email: a second application
# with it is refused. A rejection holds it only for the waiting period.
HOLDING_STATUSES = (AffiliateStatus.APPLIED, AffiliateStatus.APPROVED, AffiliateStatus.ACTIVE,
                    AffiliateStatus.SUSPENDED)


class Experience(models.TextChoices):
    NONE = "none", gettext_lazy("No sales experience yet")
    UNDER_1 = "under_1", gettext_lazy("Less than a year")
    ONE_TO_3 = "1_3", gettext_lazy("1 to 3 years")
    THREE_TO_5 = "3_5", gettext_lazy("3 to 5 years")
    OVER_5 = "over_5", gettext_lazy("More than 5 years")


EXPERIENCE_POINTS = {Experience.NONE: 0, Experience.UNDER_1: 25, Experience.ONE_TO_3: 50,
                     Experience.THREE_TO_5: 75, Experience.OVER_5: 100}

# How much each part weighs in the overall score (sums to 100).
SCORE_WEIGHTS = {"completeness": 20, "experience": 30, "sector_fit": 30, "audience": 20}
SCORE_LABELS = {
    "completeness": gettext_lazy("Completeness"),
    "experience": gettext_lazy("Sales experience"),
    "sector_fit": gettext_lazy("Sector fit"),
    "audience": gettext_lazy("How they would sell"),
}
AUDIENCE_FULL_MARKS_WORDS = 30  # a description of this many words or more gets full marks

# Risk flags of an application: points add up to the evaluation's `risk` (capped at 100). A flag is for
# the manager to look at; none refuses an application by itself.
FLAG_POINTS = {
    "phone_of_affiliate": 30,
    "phone_of_user": 40,
    "shared_ip": 20,
    "disposable_email": 30,
    "reapplied": 10,
}
FLAG_LABELS = {
    "phone_of_affiliate": gettext_lazy("The mobile number is another affiliate's or applicant's"),
    "phone_of_user": gettext_lazy("The mobile number belongs to one of our staff"),
    "shared_ip": gettext_lazy("Other applications came from the same IP address in the last 30 days"),
    "disposable_email": gettext_lazy("A throwaway email address"),
    "reapplied": gettext_lazy("Applied before and was not accepted"),
}
SHARED_IP_AFTER = 2  # other applications from one address within the window that raise the flag
SHARED_IP_WINDOW_DAYS = 30
DISPOSABLE_EMAIL_DOMAINS = frozenset({
    "mailinator.com", "guerrillamail.com", "10minutemail.com", "tempmail.com", "temp-mail.org", "yopmail.com",
    "trashmail.com", "sharklasers.com", "getnada.com", "dispostable.com", "maildrop.cc", "throwawaymail.com",
})


# --- applying -----------------------------------------------------------------------------------------

def _required_text(data: dict, name: str, errors: dict, message) -> str:
    value = str(data.get(name) or "").strip()
    if not value:
        errors.setdefault(name, []).append(message)
    return value


def reapply_date(rejected_at: dt.datetime) -> dt.date:
    return timezone.localdate(rejected_at + dt.timedelta(days=current_rules().reapply_after_days))


def _date_text(day: dt.date) -> str:
    hijri = hijri_text(day)
    return f"{formats.date_format(day, 'DATE_FORMAT')} ({hijri})" if hijri else formats.date_format(day, "DATE_FORMAT")


def _matching(email: str, phone: str):
    condition = Q(email__iexact=email)
    if phone:
        condition |= Q(phone=phone)
    return Affiliate.objects.filter(condition)


def _refusal(email: str, phone: str, now: dt.datetime) -> ValidationError | None:
    """Why this person may not apply now, or None."""
    window = dt.timedelta(days=current_rules().reapply_after_days)
    recent_rejection = (_matching(email, phone).filter(rejected_at__gt=now - window)
                        .order_by("-rejected_at").first())
    if recent_rejection is not None:
        return ValidationError(
            _("Your earlier application was not accepted on %(rejected)s. You may apply again from %(date)s.") % {
                "rejected": _date_text(timezone.localdate(recent_rejection.rejected_at)),
                "date": _date_text(reapply_date(recent_rejection.rejected_at))},
            code="reapply_too_soon")
    same_email = Affiliate.objects.filter(email__iexact=email)
    if same_email.filter(status__in=HOLDING_STATUSES).exists():
        return ValidationError({"email": _("There is already an application or a partner account with this email "
                                           "address. If it is yours, sign in or wait for our answer.")},
                               code="duplicate")
    if same_email.filter(status=AffiliateStatus.TERMINATED, rejected_at__isnull=True).exists():
        return ValidationError({"email": _("A partnership with this email address was ended. Please contact us "
                                           "instead of applying again.")}, code="terminated")
    if User.objects.filter(email__iexact=email).exists():
        return ValidationError({"email": _("This email address already belongs to an account here. Please apply "
                                           "with another email address.")}, code="user_email")
    return None


def evaluate(*, data: dict, ip_address: str | None, now: dt.datetime) -> dict:
    """The scores and risk flags of an application (the `evaluation` a manager reads)."""
    rules = current_rules()
    sectors = list(data.get("sectors") or [])
    audience = str(data.get("audience") or "").strip()
    experience = data.get("experience") or ""
    filled = [bool(data.get("city")), len(audience.split()) >= 10, bool(sectors), bool(experience),
              bool(data.get("phone"))]
    best_sector = max((rules.industry_points.get(sector, 0) for sector in sectors), default=0)
    scores = {
        "completeness": round(100 * sum(filled) / len(filled)),
        "experience": EXPERIENCE_POINTS.get(experience, 0),
        "sector_fit": round(100 * best_sector / rules.industry_max) if rules.industry_max else 0,
        "audience": min(100, round(100 * len(audience.split()) / AUDIENCE_FULL_MARKS_WORDS)),
    }
    score = round(sum(scores[name] * weight for name, weight in SCORE_WEIGHTS.items()) / 100)

    flags = []
    email, phone = data["email"], data.get("phone") or ""
    if phone and Affiliate.objects.filter(phone=phone).exclude(email__iexact=email).exists():
        flags.append("phone_of_affiliate")
    # Affiliates' logins carry their own phone; the flag is about staff.
    if phone and User.objects.filter(phone=phone).exclude(role=Role.AFFILIATE).exists():
        flags.append("phone_of_user")
    if ip_address:
        window_start = now - dt.timedelta(days=SHARED_IP_WINDOW_DAYS)
        others = Affiliate.objects.filter(evaluation__acceptance__ip=ip_address, created_at__gte=window_start)
        if others.count() >= SHARED_IP_AFTER:
            flags.append("shared_ip")
    if email.rsplit("@", 1)[-1].lower() in DISPOSABLE_EMAIL_DOMAINS:
        flags.append("disposable_email")
    previous = Affiliate.objects.filter(email__iexact=email, rejected_at__isnull=False).order_by("-rejected_at").first()
    if previous is not None:
        flags.append("reapplied")
    evaluation = {
        "scores": scores, "score": score, "flags": flags,
        "risk": min(100, sum(FLAG_POINTS[flag] for flag in flags)),
        "application": {"audience": audience, "sectors": sectors, "experience": experience,
                        "language": data.get("language") or Language.ARABIC},
    }
    if previous is not None:
        evaluation["previous_application"] = str(previous.pk)
    return evaluation


@transaction.atomic
def affiliate_apply(*, data: dict, ip_address=None, now=None) -> Affiliate:
    """A person's application from the public page. `data`: full_name, email, phone, city, audience,
    sectors (list of crm Sector keys), experience (an `Experience` key), language, accept_commission and
    accept_rules (both must be true: they accept the active commission policy and programme rules, whose
    versions, the time and the IP address are kept for the approval to record)."""
    now = now or timezone.now()
    errors: dict[str, list] = {}
    full_name = _required_text(data, "full_name", errors, _("Enter your name."))
    email = _required_text(data, "email", errors, _("Enter your email address.")).lower()
    phone_typed = _required_text(data, "phone", errors, _("Enter your mobile number."))
    phone = normalise_phone(phone_typed) if phone_typed else ""
    if phone_typed and not phone:
        errors.setdefault("phone", []).append(_("Enter a valid mobile number, for example 0501234567."))
    audience = _required_text(data, "audience", errors,
                              _("Tell us how you would find customers for us, and who your audience is."))
    sectors = [sector for sector in dict.fromkeys(data.get("sectors") or [])]
    if not sectors:
        errors.setdefault("sectors", []).append(_("Choose at least one sector you know."))
    elif any(sector not in Sector.values for sector in sectors):
        errors.setdefault("sectors", []).append(_("Choose sectors from the list."))
    experience = str(data.get("experience") or "")
    if experience not in Experience.values:
        errors.setdefault("experience", []).append(_("Choose how much sales experience you have."))
    policies = {policy.type: policy for policy in active_policies()}
    if len(policies) < len(PROGRAMME_POLICY_TYPES):
        errors.setdefault("__all__", []).append(
            _("The partner programme is not taking applications at the moment. Please try again later."))
    if not data.get("accept_commission"):
        errors.setdefault("accept_commission", []).append(_("Please read and accept the commission policy."))
    if not data.get("accept_rules"):
        errors.setdefault("accept_rules", []).append(_("Please read and accept the programme rules."))
    if errors:
        raise ValidationError(errors)
    refusal = _refusal(email, phone, now)
    if refusal is not None:
        raise refusal

    cleaned = {**data, "full_name": full_name, "email": email, "phone": phone, "audience": audience,
               "sectors": sectors, "experience": experience}
    evaluation = evaluate(data=cleaned, ip_address=ip_address, now=now)
    evaluation["acceptance"] = {
        "at": now.isoformat(), "ip": ip_address or None,
        "policies": {kind: str(policy.pk) for kind, policy in policies.items()},
    }
    affiliate = Affiliate(full_name=full_name, email=email, phone=phone,
                          city=str(data.get("city") or "").strip(), status=AffiliateStatus.APPLIED,
                          evaluation=evaluation)
    affiliate.full_clean()
    affiliate.save()
    audit_create(actor=None, instance=affiliate)
    return affiliate


# --- deciding -----------------------------------------------------------------------------------------

def _locked(affiliate: Affiliate) -> Affiliate:
    return Affiliate.objects.select_for_update().get(pk=affiliate.pk)


def _is_open_application(affiliate: Affiliate) -> bool:
    return affiliate.status == AffiliateStatus.APPLIED and affiliate.rejected_at is None


def application_language(affiliate: Affiliate) -> str:
    """The language the person applied in (their login's language once they have one)."""
    if affiliate.user_id:
        return affiliate.user.language
    language = (affiliate.evaluation or {}).get("application", {}).get("language")
    return language if language in Language.values else Language.ARABIC


def default_commission_rate(tier: str) -> Decimal:
    """The tier's base rate: its lowest plan rate (the engine applies the plan's own rate per deal)."""
    return min(Decimal(str(rate)) for rate in current_rules().commission_rates[tier].values())


def _code_stem(affiliate: Affiliate) -> str:
    def letters(text: str) -> str:
        first = "".join(ch if ch.isascii() and ch.isalpha() else " " for ch in unicodedata.normalize("NFKD", text))
        words = first.split()
        return (words[0] if words and len(words[0]) >= 3 else "".join(words)).upper()
    stem = letters(affiliate.full_name)
    if len(stem) < 3:  # an Arabic name: the email's first word reads better than nothing
        stem = letters(affiliate.email.split("@")[0])
    return (stem or "PARTNER")[:8] if len(stem) >= 2 else "PARTNER"


def new_referral_code(affiliate: Affiliate) -> str:
    """A unique, readable code: the first name (or email name) in capitals and a few digits, e.g. FAISAL27."""
    stem = _code_stem(affiliate)
    for digits in (2, 3, 4, 5, 6):
        for _attempt in range(20):
            code = f"{stem}{secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1)}"
            if not Affiliate.objects.filter(referral_code=code).exists():
                return code
    raise ValidationError(_("Could not find a free referral code. Please try again."), code="no_code")


def referral_link(code: str, tenant=None) -> str:
    """The affiliate's link: the tenant's public lead form carrying their code."""
    from dealix.tenancy.services import tenant_url
    return tenant_url(f"{reverse('crm_public:lead_form')}?ref={code}", tenant)


@transaction.atomic
def affiliate_approve(*, actor, affiliate: Affiliate, tier: str = Tier.BRONZE, commission_rate=None) -> Affiliate:
    """Accept an application: the affiliate becomes active with a tier, a rate (the tier's base rate unless
    given), a unique referral code and a login (role affiliate, no password: the welcome email carries a
    link to set one); the policies accepted on the application are recorded. The email goes after commit."""
    roles.require(actor, MANAGE)
    affiliate = _locked(affiliate)
    if not _is_open_application(affiliate):
        raise ValidationError(_("Only an open application can be approved."), code="not_open")
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Choose a tier.")}, code="tier")
    if commission_rate in (None, ""):
        rate = default_commission_rate(tier)
    else:
        try:
            rate = Decimal(str(commission_rate))
        except InvalidOperation:
            raise ValidationError({"commission_rate": _("Enter the rate as a number, such as 15.")}, code="rate")
        if not Decimal("0") <= rate <= Decimal("100"):
            raise ValidationError({"commission_rate": _("A rate is between 0 and 100 %.")}, code="rate")
    if User.objects.filter(email__iexact=affiliate.email).exists():
        raise ValidationError(_("A user with the email %(email)s already exists, so this affiliate cannot be given "
                                "a login. Ask the applicant for another email address.") % {"email": affiliate.email},
                              code="user_email")
    # Creating users is an admin's right in general; this one login is part of the approval a manager may give.
    user = user_create(actor=actor, email=affiliate.email, full_name=affiliate.full_name, role=Role.AFFILIATE,
                       password=None, language=application_language(affiliate), phone=affiliate.phone,
                       check_permission=False)
    changes = {"user": user, "tier": tier, "commission_rate": rate, "referral_code": new_referral_code(affiliate),
               "status_reason": ""}
    transition(actor=actor, instance=affiliate, target=AffiliateStatus.APPROVED, changes=changes)
    transition(actor=actor, instance=affiliate, target=AffiliateStatus.ACTIVE)
    _record_application_acceptances(actor=actor, affiliate=affiliate)
    enqueue(send_acceptance_email, str(affiliate.pk))
    return affiliate


def _record_application_acceptances(*, actor, affiliate: Affiliate) -> None:
    """The versions accepted on the application, at its time and address. A version that is no longer
    active by now is still what the person agreed to; a newer one is accepted in the portal."""
    acceptance = (affiliate.evaluation or {}).get("acceptance") or {}
    accepted_at = acceptance.get("at")
    accepted_at = dt.datetime.fromisoformat(accepted_at) if accepted_at else timezone.now()
    for policy in Policy.objects.filter(pk__in=list((acceptance.get("policies") or {}).values())):
        _accept(affiliate=affiliate, policy=policy, accepted_at=accepted_at, ip_address=acceptance.get("ip"),
                actor=actor)


@transaction.atomic
def affiliate_reject(*, actor, affiliate: Affiliate, reason: str) -> Affiliate:
    """Turn an application down with a reason (which the applicant is told). They may apply again
    `reapply_after_days` later."""
    roles.require(actor, MANAGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write the reason: the applicant reads it.")}, code="reason")
    affiliate = _locked(affiliate)
    if not _is_open_application(affiliate):
        raise ValidationError(_("Only an open application can be rejected."), code="not_open")
    transition(actor=actor, instance=affiliate, target=AffiliateStatus.TERMINATED,
               changes={"rejected_at": timezone.now(), "status_reason": reason})
    enqueue(send_rejection_email, str(affiliate.pk))
    return affiliate


def _set_login_active(*, actor, affiliate: Affiliate, active: bool) -> None:
    if affiliate.user_id is None:
        return
    user = User.objects.select_for_update().get(pk=affiliate.user_id)
    if user.is_active == active:
        return
    before = snapshot(user, ["is_active"])
    user.is_active = active
    user.save(update_fields=["is_active", "updated_at"])
    audit_update(actor=actor, instance=user, before=before)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write the reason; it is kept with the affiliate's record.")},
                              code="reason")
    return reason


@transaction.atomic
def affiliate_suspend(*, actor, affiliate: Affiliate, reason: str) -> Affiliate:
    """Suspend pending review: the affiliate's login stops working until reinstated. `actor=None` is the
    fraud rules' automatic suspension."""
    if actor is not None:
        roles.require(actor, MANAGE)
    reason = _require_reason(reason)
    affiliate = _locked(affiliate)
    if affiliate.status not in (AffiliateStatus.APPROVED, AffiliateStatus.ACTIVE):
        raise ValidationError(_("Only an approved or active affiliate can be suspended."), code="not_active")
    transition(actor=actor, instance=affiliate, target=AffiliateStatus.SUSPENDED, changes={"status_reason": reason})
    _set_login_active(actor=actor, affiliate=affiliate, active=False)
    return affiliate


@transaction.atomic
def affiliate_reinstate(*, actor, affiliate: Affiliate, reason: str = "") -> Affiliate:
    """Back to active after a review; the login works again. `reason` records what the review found."""
    roles.require(actor, REINSTATE)
    affiliate = _locked(affiliate)
    if affiliate.status != AffiliateStatus.SUSPENDED:
        raise ValidationError(_("Only a suspended affiliate can be reinstated."), code="not_suspended")
    transition(actor=actor, instance=affiliate, target=AffiliateStatus.ACTIVE,
               changes={"status_reason": (reason or "").strip()})
    _set_login_active(actor=actor, affiliate=affiliate, active=True)
    return affiliate


@transaction.atomic
def affiliate_terminate(*, actor, affiliate: Affiliate, reason: str) -> Affiliate:
    """End the partnership for good; the login is closed. (An open application is rejected instead.)"""
    roles.require(actor, MANAGE)
    reason = _require_reason(reason)
    affiliate = _locked(affiliate)
    if affiliate.status not in (AffiliateStatus.APPROVED, AffiliateStatus.ACTIVE, AffiliateStatus.SUSPENDED):
        raise ValidationError(_("Only an approved, active or suspended affiliate can be terminated; an application "
                                "is rejected instead."), code="not_partner")
    transition(actor=actor, instance=affiliate, target=AffiliateStatus.TERMINATED, changes={"status_reason": reason})
    _set_login_active(actor=actor, affiliate=affiliate, active=False)
    return affiliate


# --- policies -----------------------------------------------------------------------------------------

def active_policies() -> list[Policy]:
    """The active commission policy and programme rules, in that order (those an affiliate accepts)."""
    found = {policy.type: policy for policy in Policy.objects.filter(type__in=PROGRAMME_POLICY_TYPES, is_active=True)}
    return [found[kind] for kind in PROGRAMME_POLICY_TYPES if kind in found]


def pending_policies(affiliate: Affiliate) -> list[Policy]:
    """Active programme policies the affiliate has not accepted (a new version came out since)."""
    accepted = set(PolicyAcceptance.objects.filter(affiliate=affiliate).values_list("policy_id", flat=True))
    return [policy for policy in active_policies() if policy.pk not in accepted]


def _accept(*, affiliate, policy, accepted_at, ip_address, actor) -> PolicyAcceptance:
    existing = PolicyAcceptance.objects.filter(affiliate=affiliate, policy=policy).first()
    if existing is not None:
        return existing
    acceptance = PolicyAcceptance(affiliate=affiliate, policy=policy, accepted_at=accepted_at, ip_address=ip_address)
    acceptance.full_clean()
    acceptance.save()
    audit_create(actor=actor, instance=acceptance)
    return acceptance


@transaction.atomic
def policy_accept(*, affiliate: Affiliate, policy: Policy, ip_address=None) -> PolicyAcceptance:
    """The affiliate accepts an active programme policy (from the portal). Accepting twice records once."""
    # Read again: a version may have been replaced since the page that offered it was drawn.
    if not Policy.objects.filter(pk=policy.pk, type__in=PROGRAMME_POLICY_TYPES, is_active=True).exists():
        raise ValidationError(_("This policy is not one an affiliate accepts now."), code="not_active")
    return _accept(affiliate=affiliate, policy=policy, accepted_at=timezone.now(), ip_address=ip_address or None,
                   actor=affiliate.user)


# --- reads --------------------------------------------------------------------------------------------

def affiliate_for_user(user) -> Affiliate | None:
    """The affiliate record behind a login, whatever its status (None for staff and strangers)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Affiliate.objects.filter(user_id=user.pk).first()


def open_applications():
    return Affiliate.objects.filter(status=AffiliateStatus.APPLIED, rejected_at__isnull=True).order_by("created_at")


def programme_counts() -> dict:
    """How many affiliates are in each place, for the programme home."""
    counts = Affiliate.objects.aggregate(
        applications=Count("id", filter=Q(status=AffiliateStatus.APPLIED, rejected_at__isnull=True)),
        active=Count("id", filter=Q(status=AffiliateStatus.ACTIVE)),
        approved=Count("id", filter=Q(status=AffiliateStatus.APPROVED)),
        suspended=Count("id", filter=Q(status=AffiliateStatus.SUSPENDED)),
        terminated=Count("id", filter=Q(status=AffiliateStatus.TERMINATED, rejected_at__isnull=True)),
        rejected=Count("id", filter=Q(rejected_at__isnull=False)),
        at_risk=Count("id", filter=Q(risk_score__gt=current_rules().fraud_risk_suspend_over)),
    )
    return counts


def affiliate_summary(affiliate: Affiliate) -> dict:
    """What a manager sees beside the record: attributions by status, commissions by status (count and
    amount), and the policy acceptances."""
    attributions = dict(affiliate.attributions.values_list("status").annotate(n=Count("id")).order_by())
    commission_rows = (affiliate.commissions.values("status").annotate(n=Count("id"), total=Sum("amount"))
                       .order_by())
    commissions = {row["status"]: {"count": row["n"], "total": row["total"] or Decimal("0")}
                   for row in commission_rows}
    return {
        "attributions": [(label, attributions.get(value, 0)) for value, label in AttributionStatus.choices],
        "attribution_total": sum(attributions.values()),
        "commissions": [(label, commissions.get(value, {"count": 0, "total": Decimal("0")}))
                        for value, label in CommissionStatus.choices],
        "earned": sum((row["total"] for status, row in commissions.items()
                       if status in (CommissionStatus.PENDING, CommissionStatus.APPROVED, CommissionStatus.PAID)),
                      Decimal("0")),
        "acceptances": list(affiliate.policy_acceptances.select_related("policy")),
    }


def evaluation_rows(affiliate: Affiliate) -> dict:
    """The evaluation as labelled rows (unknown keys from older data are shown as they are)."""
    evaluation = affiliate.evaluation or {}
    application = evaluation.get("application") or {}
    scores = evaluation.get("scores") or {}
    sectors = dict(Sector.choices)
    separator = "، " if translation.get_language() == Language.ARABIC else ", "
    return {
        "score": evaluation.get("score"),
        # In the weights' order (jsonb keeps keys in its own order), then any older keys as they are.
        "scores": [(SCORE_LABELS.get(name, name), scores[name])
                   for name in [*[key for key in SCORE_WEIGHTS if key in scores],
                                *[key for key in scores if key not in SCORE_WEIGHTS]]],
        "flags": [(FLAG_LABELS.get(flag, flag), FLAG_POINTS.get(flag)) for flag in evaluation.get("flags") or []],
        "risk": evaluation.get("risk", 0),
        "audience": application.get("audience", ""),
        "sectors": separator.join(str(sectors.get(sector, sector)) for sector in application.get("sectors") or []),
        "experience": dict(Experience.choices).get(application.get("experience"), ""),
        "language": dict(Language.choices).get(application.get("language"), ""),
        "acceptance": evaluation.get("acceptance") or {},
        "accepted_at": _parse_time((evaluation.get("acceptance") or {}).get("at")),
    }


def _parse_time(value):
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# --- emails (jobs) ------------------------------------------------------------------------------------

def _mark_emailed(affiliate_id: str, kind: str):
    """Lock the affiliate and say whether this email still has to go (running the job twice sends once)."""
    affiliate = Affiliate.objects.select_for_update(of=("self",)).select_related("user").filter(pk=affiliate_id).first()
    if affiliate is None or (affiliate.evaluation or {}).get("emailed", {}).get(kind):
        return None
    return affiliate


def _save_emailed(affiliate: Affiliate, kind: str) -> None:
    before = snapshot(affiliate, ["evaluation"])
    evaluation = dict(affiliate.evaluation or {})
    evaluation["emailed"] = {**evaluation.get("emailed", {}), kind: timezone.now().isoformat()}
    affiliate.evaluation = evaluation
    affiliate.save(update_fields=["evaluation", "updated_at"])
    audit_update(actor=None, instance=affiliate, before=before)


def _render_standard(key: str, language: str, extra: dict, fallback_subject, fallback_body) -> tuple[str, str]:
    from crm.templating import context_for, render, standard_template
    template = standard_template(key, TemplateType.EMAIL, language)
    context = context_for(extra=extra, language=language)
    if template is not None:
        rendered = render(template, context)
        return rendered.subject, rendered.body
    # The tenant switched the standard text off: a short plain message still tells the person.
    return str(fallback_subject) % context, str(fallback_body) % context


def _send(*, to: str, subject: str, body: str, language: str) -> None:
    html = (f'<div dir="{"rtl" if language == Language.ARABIC else "ltr"}" lang="{language}">'
            f"{linebreaks(urlize(body, autoescape=True))}</div>")
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
                                     headers={"Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    message.send()


def set_password_link(user: User) -> str:
    """A one-time link to choose a password, made like Django's password reset (valid for
    PASSWORD_RESET_TIMEOUT)."""
    from dealix.tenancy.services import tenant_url
    path = reverse("accounts:password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
    return tenant_url(path)


@transaction.atomic
def send_acceptance_email(affiliate_id: str) -> bool:
    """The job: welcome email with the code, the link and where to set a password, in the affiliate's
    language. Returns whether it sent now."""
    affiliate = _mark_emailed(affiliate_id, "acceptance")
    if affiliate is None or affiliate.user is None or not affiliate.user.is_active:
        return False
    language = application_language(affiliate)
    with translation.override(language):
        subject, body = _render_standard(
            "affiliate_acceptance", language,
            {"affiliate_name": affiliate.full_name, "referral_code": affiliate.referral_code,
             "referral_link": referral_link(affiliate.referral_code),
             "tier": affiliate.get_tier_display()},
            gettext_lazy("Welcome to the %(tenant_name)s partner programme"),
            gettext_lazy("Your referral code: %(referral_code)s\nYour referral link: %(referral_link)s"))
        days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
        body += "\n\n" + ngettext(
            "To sign in to the partner portal, first choose your password with this link (it works for %(days)s "
            "day):\n%(link)s",
            "To sign in to the partner portal, first choose your password with this link (it works for %(days)s "
            "days):\n%(link)s", days) % {"days": days, "link": set_password_link(affiliate.user)}
    _send(to=affiliate.email, subject=subject, body=body, language=language)
    _save_emailed(affiliate, "acceptance")
    return True


@transaction.atomic
def send_rejection_email(affiliate_id: str) -> bool:
    """The job: the applicant is told the reason and when they may apply again."""
    affiliate = _mark_emailed(affiliate_id, "rejection")
    if affiliate is None or affiliate.rejected_at is None:
        return False
    language = application_language(affiliate)
    with translation.override(language):
        subject, body = _render_standard(
            "affiliate_rejection", language,
            {"affiliate_name": affiliate.full_name, "reason": affiliate.status_reason},
            gettext_lazy("Your application to the %(tenant_name)s partner programme"),
            ngettext_lazy("We cannot accept your application at this time, because %(reason)s. You may apply again "
                          "%(reapply_after_days)s day from today.",
                          "We cannot accept your application at this time, because %(reason)s. You may apply again "
                          "%(reapply_after_days)s days from today.", current_rules().reapply_after_days))
    _send(to=affiliate.email, subject=subject, body=body, language=language)
    _save_emailed(affiliate, "rejection")
    return True
