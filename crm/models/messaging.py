"""Messages on every channel, and the templates they are written from."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.choices import Direction, MessageChannel, MessageStatus, TemplateType
from dealix.accounts.choices import Language
from crm.querysets import MessageQuerySet, TemplateQuerySet
from dealix.core.models import TimeStampedModel
from dealix.core.states import machine

__all__ = ["Message", "Template"]


class Message(TimeStampedModel):
    """One message in or out on WhatsApp, email, SMS or in-app. A refused send is kept as `failed` with
    its `failure_reason` (RULES.md §2: nothing is silently dropped). Not in the seed: `subject` (email),
    `template`, `failure_reason`, `provider_message_id` (unique: one provider message per row, so a job
    run twice sends once), `scheduled_for` (a send deferred to the channel's next window)."""

    STATES = machine("status", {
        MessageStatus.QUEUED: {MessageStatus.SENT, MessageStatus.FAILED},
        MessageStatus.SENT: {MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.FAILED},
        MessageStatus.DELIVERED: {MessageStatus.READ},
        MessageStatus.FAILED: {MessageStatus.QUEUED},
    }, stamps={MessageStatus.SENT: "sent_at"})

    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="messages")
    contact = models.ForeignKey("crm.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="messages")
    template = models.ForeignKey("crm.Template", verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="messages")
    channel = models.CharField(_("channel"), max_length=20, choices=MessageChannel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 default=Direction.OUTBOUND)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    content = models.TextField(_("content"))
    status = models.CharField(_("status"), max_length=20, choices=MessageStatus.choices,
                              default=MessageStatus.QUEUED)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=255, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

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
    schema, so every new tenant starts with its own editable copy. `key` (not in the seed) names the
    standard template a row is a version of (e.g. `cold_whatsapp_opener`)."""

    key = models.SlugField(_("key"), max_length=100, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=TemplateType.choices)
    name = models.CharField(_("name"), max_length=255)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ARABIC)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = TemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["type", "name", "language"]
        indexes = [models.Index(fields=["type", "is_active"], name="crm_template_type_idx")]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], condition=~Q(key=""),
                                    name="crm_template_key_language_unique",
                                    violation_error_message=_("This template already exists in that language.")),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_language_display()})"
