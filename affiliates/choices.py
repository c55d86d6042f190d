from django.db import models
from django.utils.translation import gettext_lazy as _


class AffiliateStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class Tier(models.TextChoices):
    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class AttributionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    PAID = "paid", _("Paid")
    DISPUTED = "disputed", _("Disputed")
    # Not in the seed's enum: a later claim on a lead another affiliate already owns (kept, so managers
    # see the conflict), and an attribution whose window ran out before a deal was won.
    REJECTED = "rejected", _("Not attributed")
    EXPIRED = "expired", _("Expired")


class AttributionSource(models.TextChoices):
    FORM = "form", _("Lead form (?ref=)")
    BOOKING = "booking", _("Booking page (?ref=)")
    IMPORT = "import", _("Import (referral code column)")
    PORTAL = "portal", _("Registered in the partner portal")
    ADMIN = "admin", _("Set by an admin")


class RiskSignalKind(models.TextChoices):
    SELF_REFERRAL = "self_referral", _("Self-referral (the affiliate's own phone or email)")
    DUPLICATE_LEAD = "duplicate_lead", _("Duplicate lead")
    LEAD_SPIKE = "lead_spike", _("Lead spike (over 3× the usual weekly rate)")
    SHARED_IP = "shared_ip", _("Many leads from one IP address")


class CommissionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    DISPUTED = "disputed", _("Disputed")
    CANCELLED = "cancelled", _("Cancelled")


class CommissionKind(models.TextChoices):
    DEAL = "deal", _("Won deal")
    RECURRING = "recurring", _("Monthly payment")
    BONUS = "bonus", _("Monthly bonus")
    CLAWBACK = "clawback", _("Clawback")


class PayoutMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    WALLET = "wallet", _("Wallet")
    CHECK = "check", _("Cheque")


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class DisputeType(models.TextChoices):
    COMMISSION = "commission", _("Commission")
    ATTRIBUTION = "attribution", _("Attribution")
    PAYOUT = "payout", _("Payout")
    GUARANTEE = "guarantee", _("Guarantee")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UNDER_REVIEW = "under_review", _("Under review")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")
    CLOSED = "closed", _("Closed")
