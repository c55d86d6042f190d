from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentChannel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")


class ConsentState(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REVOKED = "revoked", _("Revoked")


class ComplaintCategory(models.TextChoices):
    SERVICE = "service", _("Service")
    BILLING = "billing", _("Billing")
    COMMUNICATION = "communication", _("Communication")
    PRIVACY = "privacy", _("Privacy")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class PolicyType(models.TextChoices):
    COMMISSION = "commission", _("Commission")
    GUARANTEE = "guarantee", _("Guarantee")
    REFUND = "refund", _("Refund")
    COMPLIANCE = "compliance", _("Compliance")
    PRIVACY = "privacy", _("Privacy")
    # Not in the seed's enum: the affiliate programme's rules an affiliate accepts on approval.
    AFFILIATE_RULES = "affiliate_rules", _("Affiliate programme rules")


class ClaimType(models.TextChoices):
    PERFORMANCE = "performance", _("Performance")
    QUALITY = "quality", _("Quality")
    DELIVERY = "delivery", _("Delivery")
    OTHER = "other", _("Other")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REVIEWING = "reviewing", _("Reviewing")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    REFUNDED = "refunded", _("Refunded")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class RefundMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ORIGINAL_METHOD = "original_method", _("Original payment method")
    WALLET = "wallet", _("Wallet")
