"""The affiliate programme listening to the CRM. The CRM never imports `affiliates`; it announces what
happened with signals (sent after its transaction commits) and these receivers act on them. Connected
once, by importing this module from `AffiliatesConfig.ready()`; each `connect` has a dispatch_uid so a
second import connects nothing twice."""
from __future__ import annotations

import logging

from affiliates import attribution
from crm import services as crm_services

logger = logging.getLogger(__name__)


# --- attribution: leads arriving with a referral code, deals entering negotiation ----------------
# A failure here is logged rather than raised: the lead or the deal move is already committed, and the
# visitor or agent who caused it should not see an error page for the affiliate programme's part.

def attribute_referred_lead(sender, *, lead_id, code, source, ip=None, **kwargs):
    try:
        attribution.attribute_lead_id(lead_id=lead_id, code=code, source=source, ip_address=ip)
    except Exception:
        logger.exception("Attributing lead %s to referral code %s failed", lead_id, code)


def attribute_imported_leads(sender, *, referrals, source, ip=None, import_id=None, **kwargs):
    try:
        attribution.attribute_referrals(referrals=referrals, source=source, ip_address=ip)
    except Exception:
        logger.exception("Attributing the referral codes of lead import %s failed", import_id)


def follow_deal_stage(sender, *, deal_id, stage, **kwargs):
    try:
        attribution.follow_deal_stage(deal_id=deal_id, stage=stage)
    except Exception:
        logger.exception("Adjusting the attribution window of deal %s (now %s) failed", deal_id, stage)


crm_services.lead_referred.connect(attribute_referred_lead, dispatch_uid="affiliates.attribute_referred_lead")
crm_services.leads_referred.connect(attribute_imported_leads, dispatch_uid="affiliates.attribute_imported_leads")
crm_services.deal_stage_changed.connect(follow_deal_stage, dispatch_uid="affiliates.follow_deal_stage")


# --- commissions: a deal won, a payment refunded (affiliates.commissions) ---------------------------
# Logged rather than raised, like the above: the deal or the refund is committed already, and the
# monthly commission run catches up on a won deal whose commission failed here.

def create_deal_commissions(sender, *, deal_id, actor_id=None, **kwargs):
    from affiliates.commissions import commissions_for_won_deal
    try:
        commissions_for_won_deal(deal_id)
    except Exception:
        logger.exception("Creating the commissions of won deal %s failed", deal_id)


def settle_refunded_payment(sender, *, payment_id, actor_id=None, **kwargs):
    from affiliates.commissions import payment_refunded
    try:
        payment_refunded(payment_id, actor_id=actor_id)
    except Exception:
        logger.exception("Cancelling or clawing back the commissions of refunded payment %s failed", payment_id)


crm_services.deal_won.connect(create_deal_commissions, dispatch_uid="affiliates.create_deal_commissions")
crm_services.payment_refunded.connect(settle_refunded_payment, dispatch_uid="affiliates.settle_refunded_payment")
