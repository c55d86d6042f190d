"""The affiliate programme listening to the CRM. The CRM never imports `affiliates`; it announces what
happened with signals (sent after its transaction commits) and these receivers act on them. Connected
once, by importing this module from `AffiliatesConfig.ready()`; each `connect` has a dispatch_uid so a
second import connects nothing twice.

Each receiver does its work at once, so the page that caused it already shows the result. The lead or
the deal is committed by then, so a failure must not turn into an error page for the visitor or the
agent; nor may it be lost: it is logged and the same work is queued as a job that RQ retries (every
piece of work here is idempotent)."""
from __future__ import annotations

import logging

from rq import Retry

from affiliates import attribution
from crm import services as crm_services
from dealix.core import jobs

logger = logging.getLogger(__name__)
RETRY = Retry(max=3, interval=[60, 300, 900])
#: an import with more referral codes than this is attributed in the background (about 5 ms a lead)
IMPORT_REFERRALS_AT_ONCE = 500


def _now_or_later(job, *args) -> None:
    try:
        job(*args)
    except Exception:
        logger.exception("%s%r failed; queued to be retried", job.__name__, args)
        jobs.enqueue(job, *args, retry=RETRY)


# --- the work, as jobs take it: ids and plain values ---------------------------------------------------

def attribute_lead_job(lead_id, code, source, ip_address=None):
    attribution.attribute_lead_id(lead_id=lead_id, code=code, source=source, ip_address=ip_address)


def attribute_referrals_job(referrals, source, ip_address=None):
    attribution.attribute_referrals(referrals=referrals, source=source, ip_address=ip_address)


def follow_deal_stage_job(deal_id, stage):
    attribution.follow_deal_stage(deal_id=deal_id, stage=stage)


def deal_commissions_job(deal_id):
    from affiliates.commissions import commissions_for_won_deal
    commissions_for_won_deal(deal_id)


def refunded_payment_job(payment_id, actor_id=None):
    from affiliates.commissions import payment_refunded
    payment_refunded(payment_id, actor_id=actor_id)


# --- the receivers -----------------------------------------------------------------------------------------

def attribute_referred_lead(sender, *, lead_id, code, source, ip=None, **kwargs):
    _now_or_later(attribute_lead_job, lead_id, code, source, ip)


def attribute_imported_leads(sender, *, referrals, source, ip=None, import_id=None, **kwargs):
    if len(referrals) > IMPORT_REFERRALS_AT_ONCE:
        # Each newly won lead is checked for fraud (some ten queries): thousands would keep the import's
        # page waiting for minutes, so a large file's referrals are attributed by the worker instead.
        jobs.enqueue(attribute_referrals_job, referrals, source, ip, retry=RETRY)
        return
    _now_or_later(attribute_referrals_job, referrals, source, ip)


def follow_deal_stage(sender, *, deal_id, stage, **kwargs):
    _now_or_later(follow_deal_stage_job, deal_id, stage)


def create_deal_commissions(sender, *, deal_id, actor_id=None, **kwargs):
    _now_or_later(deal_commissions_job, deal_id)


def settle_refunded_payment(sender, *, payment_id, actor_id=None, **kwargs):
    _now_or_later(refunded_payment_job, payment_id, actor_id)


crm_services.lead_referred.connect(attribute_referred_lead, dispatch_uid="affiliates.attribute_referred_lead")
crm_services.leads_referred.connect(attribute_imported_leads, dispatch_uid="affiliates.attribute_imported_leads")
crm_services.deal_stage_changed.connect(follow_deal_stage, dispatch_uid="affiliates.follow_deal_stage")
crm_services.deal_won.connect(create_deal_commissions, dispatch_uid="affiliates.create_deal_commissions")
crm_services.payment_refunded.connect(settle_refunded_payment, dispatch_uid="affiliates.settle_refunded_payment")
