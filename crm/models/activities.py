"""What happened or is planned with a lead or deal: activities and tasks, calls, meetings."""
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.choices import ActivityType, BookingChannel, BookingStatus, CallStatus, Direction, MeetingType, Sentiment
from dealix.core.constraints import between, non_negative
from crm.querysets import ActivityQuerySet, BookingQuerySet, CallQuerySet
from dealix.core.models import TimeStampedModel
from dealix.core.states import machine

__all__ = ["Activity", "Call", "AutoBooking"]

MEETING_MINUTES = {MeetingType.DEMO: 30, MeetingType.CONSULTATION: 15, MeetingType.CUSTOM_PRESENTATION: 45,
                   MeetingType.FOLLOW_UP: 15}


class Activity(TimeStampedModel):
    """A call, email, WhatsApp, meeting, note or task on a lead or deal. A task is due at
    `scheduled_at` and done when `completed_at` is set. `user` is who did it (or must do it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="activities")
    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="activities")
    deal = models.ForeignKey("crm.Deal", verbose_name=_("deal"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="activities")
    type = models.CharField(_("type"), max_length=20, choices=ActivityType.choices, default=ActivityType.NOTE)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["lead", "-created_at"], name="crm_activity_lead_idx"),
            models.Index(fields=["deal", "-created_at"], name="crm_activity_deal_idx"),
            models.Index(fields=["user", "completed_at", "scheduled_at"], name="crm_activity_user_due_idx"),
            models.Index(fields=["type"], name="crm_activity_type_idx"),
        ]

    def __str__(self):
        return self.subject


class Call(TimeStampedModel):
    """A phone call with a lead or contact, logged by the agent (or a telephony integration)."""

    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="calls")
    contact = models.ForeignKey("crm.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="calls")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="calls")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 default=Direction.OUTBOUND)
    status = models.CharField(_("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.ANSWERED)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    recording_url = models.URLField(_("recording URL"), max_length=1000, blank=True)
    transcript = models.TextField(_("transcript"), blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=20, choices=Sentiment.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=50, blank=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["lead", "-created_at"], name="crm_call_lead_idx"),
            models.Index(fields=["user", "-created_at"], name="crm_call_user_idx"),
            models.Index(fields=["status"], name="crm_call_status_idx"),
        ]
        constraints = [non_negative("crm_call", "duration_seconds")]

    def __str__(self):
        return f"{self.get_direction_display()} · {self.get_status_display()}"


class AutoBooking(TimeStampedModel):
    """A meeting offered to or booked by a lead (RULES.md §3). Not in the seed: `contact` (who gets the
    confirmation and reminders), `meeting_type` and `duration_minutes` (from the type),
    `reschedule_count` (at most 2), `no_show`, `cancel_reason`, `meeting_url`, the reminder stamps (so
    each reminder goes once), and `busy`: the time the agent is taken, the meeting plus the buffer after
    it. A database exclusion constraint forbids two live meetings of one agent whose `busy` ranges
    overlap, so no double booking gets through, whatever races the application loses."""

    STATES = machine("status", {
        BookingStatus.PROPOSED: {BookingStatus.CONFIRMED, BookingStatus.CANCELLED},
        BookingStatus.CONFIRMED: {BookingStatus.RESCHEDULED, BookingStatus.CANCELLED, BookingStatus.COMPLETED},
        BookingStatus.RESCHEDULED: {BookingStatus.RESCHEDULED, BookingStatus.CANCELLED, BookingStatus.COMPLETED},
    })

    lead = models.ForeignKey("crm.Lead", verbose_name=_("lead"), on_delete=models.PROTECT, related_name="bookings")
    contact = models.ForeignKey("crm.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="bookings")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="bookings")
    meeting_type = models.CharField(_("meeting type"), max_length=30, choices=MeetingType.choices,
                                    default=MeetingType.DEMO)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    proposed_time = models.DateTimeField(_("proposed time"))
    confirmed_time = models.DateTimeField(_("confirmed time"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=BookingStatus.choices,
                              default=BookingStatus.PROPOSED)
    channel = models.CharField(_("channel"), max_length=20, choices=BookingChannel.choices,
                               default=BookingChannel.WHATSAPP)
    calendar_event_id = models.CharField(_("calendar event"), max_length=255, blank=True)
    reschedule_count = models.PositiveSmallIntegerField(_("times rescheduled"), default=0)
    no_show = models.BooleanField(_("no-show"), default=False)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    meeting_url = models.URLField(_("meeting link"), max_length=500, blank=True)
    busy = DateTimeRangeField(_("agent busy"), null=True, blank=True, editable=False)
    contact_reminded_24h_at = models.DateTimeField(_("24-hour reminder sent at"), null=True, blank=True,
                                                   editable=False)
    contact_reminded_1h_at = models.DateTimeField(_("1-hour reminder sent at"), null=True, blank=True,
                                                  editable=False)
    agent_reminded_at = models.DateTimeField(_("agent reminded at"), null=True, blank=True, editable=False)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-proposed_time"]
        indexes = [
            models.Index(fields=["agent", "proposed_time"], name="crm_booking_agent_time_idx"),
            models.Index(fields=["status"], name="crm_booking_status_idx"),
        ]
        constraints = [
            between("crm_booking", "duration_minutes", 5, 240),
            between("crm_booking", "reschedule_count", 0, 2),
            ExclusionConstraint(
                name="crm_booking_no_double_booking",
                expressions=[("agent", RangeOperators.EQUAL), ("busy", RangeOperators.OVERLAPS)],
                condition=Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.RESCHEDULED]) & Q(busy__isnull=False),
                violation_error_message=_("The agent already has a meeting at that time.")),
        ]

    def __str__(self):
        return f"{self.get_meeting_type_display()} · {self.proposed_time:%Y-%m-%d %H:%M}"
