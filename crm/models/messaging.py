"""Messages on every channel, and the templates they are written from."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.choices import Direction, MessageChannel, MessagePurpose, MessageReason, MessageStatus, TemplateType
from dealix.accounts.choices import Language
from crm.querysets import MessageQuerySet, TemplateQuerySet
from dealix.core.models import TimeStampedModel
from dealix.core.states import machine

__all__ = ["Message", "Template"]


class Message(TimeStampedModel):
    """One message in or out on WhatsApp, email, SMS or in-app. A refused send is kept as `failed` with
    its `reason_code` and `failure_reason` (RULES.md §2: nothing is silently dropped). Not in the seed:
    `subject` (email), `template`, `purpose`, `to_address` (where it went), `sent_by`, `payload` (the
    provider's template name and parameters), `reason_code`/`failure_reason`, `provider_message_id`
    (unique: one provider message per row, so a job run twice sends once), `scheduled_for` (a send
    deferred to the channel's next window), `attempts` and `send_started_at` (a send in flight, so a
    worker killed mid-send is noticed instead of sending twice), `delivered_at` and `read_at`."""

    STATES = machine("status", {
        MessageStatus.QUEUED: {MessageStatus.SENT, MessageStatus.FAILED},
        MessageStatus.SENT: {MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.FAILED},
        MessageStatus.DELIVERED: {MessageStatus.READ},
        MessageStatus.FAILED: {MessageStatus.QUEUED},
    }, stamps={MessageStatus.SENT: "sent_at", MessageStatus.DELIVERED: "delivered_at", MessageStatus.READ: "read_at"})

    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="messages")
    contact = models.ForeignKey("crm.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="messages")
    template = models.ForeignKey("crm.Template", verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="messages")
    channel = models.CharField(_("channel"), max_length=20, choices=MessageChannel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 default=Direction.OUTBOUND)
    purpose = models.CharField(_("purpose"), max_length=30, choices=MessagePurpose.choices,
                               default=MessagePurpose.MANUAL)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="sent_messages")
    to_address = models.CharField(_("to"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    content = models.TextField(_("content"))
    payload = models.JSONField(_("provider payload"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MessageStatus.choices,
                              default=MessageStatus.QUEUED)
    reason_code = models.CharField(_("reason"), max_length=30, choices=MessageReason.choices, blank=True)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=255, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    send_started_at = models.DateTimeField(_("send started at"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["contact", "-created_at"], name="crm_message_contact_idx"),
            models.Index(fields=["lead", "-created_at"], name="crm_message_lead_idx"),
            models.Index(fields=["status", "scheduled_for"], name="crm_message_status_idx"),
            models.Index(fields=["channel"], name="crm_message_channel_idx"),
            # the WhatsApp rules count a contact's recent messages by direction
            models.Index(fields=["contact", "channel", "direction", "-created_at"], name="crm_message_rules_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["channel", "provider_message_id"], condition=~Q(provider_message_id=""),
                                    name="crm_message_provider_id_unique"),
            models.CheckConstraint(condition=~Q(status=MessageStatus.FAILED) | ~Q(failure_reason=""),
                                   name="crm_message_failed_needs_reason",
                                   violation_error_message=_("A failed message needs its reason.")),
            models.CheckConstraint(condition=Q(lead__isnull=False) | Q(contact__isnull=False),
                                   name="crm_message_has_recipient",
                                   violation_error_message=_("A message belongs to a lead or a contact.")),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.content[:40]}"


class Template(TimeStampedModel):
    """A message template in one language, with `{variable}` placeholders. The seed's nullable
    tenant_id ("global templates") is modelled by seeding the standard templates into the tenant template
    schema, so every new tenant starts with its own editable copy. Not in the seed: `key` names the
    standard template a row is a version of (e.g. `cold_whatsapp_opener`); `approved` and
    `provider_name` say whether and under which name WhatsApp approved it (RULES.md §2: outside the
    24-hour window only approved templates go out)."""

    key = models.SlugField(_("key"), max_length=100, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=TemplateType.choices)
    name = models.CharField(_("name"), max_length=255)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ARABIC)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    is_active = models.BooleanField(_("active"), default=True)
    approved = models.BooleanField(
        _("approved by WhatsApp"), default=False,
        help_text=_("Only approved templates may be sent more than 24 hours after the contact last wrote."))
    provider_name = models.CharField(_("WhatsApp template name"), max_length=100, blank=True,
                                     help_text=_("The name of the approved template at WhatsApp."))

    objects = TemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["type", "name", "language"]
        indexes = [models.Index(fields=["type", "is_active"], name="crm_template_type_idx")]
        constraints = [
            # one standard template may exist per channel (a meeting confirmation by WhatsApp and by email)
            models.UniqueConstraint(fields=["key", "type", "language"], condition=~Q(key=""),
                                    name="crm_template_key_type_language_unique",
                                    violation_error_message=_("This template already exists in that language.")),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_language_display()})"
