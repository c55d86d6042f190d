"""Consent (PDPL): recording it, and the gate every outbound message asks. The consent history is
append-only; a contact's consent on a channel is its newest row."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from compliance.choices import ConsentChannel, ConsentState
from compliance.models import Consent
from crm.choices import ConsentStatus
from dealix.core.audit import audit_create


def current_consent(contact, channel: str) -> Consent | None:
    return Consent.objects.filter(contact=contact, channel=channel).order_by("-created_at").first()


def consent_granted(contact, channel: str) -> bool:
    """The gate: True only if the newest consent of this contact on this channel is a grant."""
    consent = current_consent(contact, channel)
    return consent is not None and consent.status == ConsentState.GRANTED


@transaction.atomic
def consent_record(*, actor, contact, channel: str, granted: bool, source: str, ip_address: str | None = None) -> Consent:
    """Append a grant or a revocation, and keep the contact's summary `consent_status` in step."""
    now = timezone.now()
    consent = Consent(contact=contact, channel=channel,
                      status=ConsentState.GRANTED if granted else ConsentState.REVOKED,
                      granted_at=now if granted else None, revoked_at=None if granted else now,
                      ip_address=ip_address, source=source[:50])
    consent.full_clean()
    consent.save()
    audit_create(actor=actor, instance=consent)
    _refresh_summary(contact)
    return consent


def _refresh_summary(contact) -> None:
    channels = [channel for channel, _label in ConsentChannel.choices]
    states = [consent_granted(contact, channel) for channel in channels]
    has_any_record = Consent.objects.filter(contact=contact).exists()
    summary = ConsentStatus.GRANTED if any(states) else (ConsentStatus.REVOKED if has_any_record else ConsentStatus.PENDING)
    if contact.consent_status != summary:
        type(contact).objects.filter(pk=contact.pk).update(consent_status=summary)
        contact.consent_status = summary
