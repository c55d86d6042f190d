"""Telling staff what happened: in the bell, by email, or both, as each person chose.

`notify(user=..., type=..., title=..., body=..., url=...)` is the one call every part of the product
makes. It reads the user's choice for that type (`User.notification_channels`, {type: [channels]}; a
type the user never set uses `DEFAULT_CHANNELS`), writes one `core.Notification` row per chosen channel
and, for email, queues `send_notification_email` after commit. The email goes through Django's own
mail settings (the platform's SMTP), never through a tenant's customer channels.

**Language contract:** `title` and `body` are passed already written in the *recipient's* language.
Build them inside `with in_language_of(user):` (or `translation.override(user.language)`), as
`crm.jobs.remind_due_tasks` does. They are stored as text: the bell shows them as they were written,
and the email job cannot re-translate them days later. (A bare `gettext_lazy` string also comes out
right, because notify evaluates it in the user's language, but formatted text must be built inside
`in_language_of`.)

**Email rows:** an email is recorded as a Notification row with `channel="email"`: the outbox entry the
job reads. It never shows in the bell. Its `is_read`/`read_at` turn true once the mail is handed to the
SMTP server, under a row lock, so running the job twice sends once.
"""
from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy

from dealix.core.audit import audit_update, snapshot
from dealix.core.choices import NotificationChannel
from dealix.core.models import Notification
from dealix.core.services import notification_create
from dealix.tenancy.rules import current_tenant  # noqa: F401 (the programme's modules import it from here)


class NotificationType(models.TextChoices):
    LEAD_ASSIGNED = "lead_assigned", gettext_lazy("A lead is assigned to me")
    REPLY_RECEIVED = "reply_received", gettext_lazy("A contact replies")
    MEETING_BOOKED = "meeting_booked", gettext_lazy("A meeting is booked")
    MEETING_REMINDER = "meeting_reminder", gettext_lazy("A meeting is about to start")
    SEND_FAILED = "send_failed", gettext_lazy("A message could not be sent")
    TASK_DUE = "task_due", gettext_lazy("A task is due")
    DAILY_DIGEST = "daily_digest", gettext_lazy("Daily summary (08:00)")
    AFFILIATE_ALERT = "affiliate_alert", gettext_lazy("Affiliate programme: a fraud signal or a partner eligible for hiring")
    AFFILIATE_WEEKLY_REPORT = "affiliate_weekly_report", gettext_lazy("Weekly partner report (affiliates)")
    DISPUTE = "dispute", gettext_lazy("A partner's dispute is opened, escalated or decided")
    PAYOUT = "payout", gettext_lazy("A payout is completed or fails (affiliates)")


IN_APP = NotificationChannel.IN_APP
EMAIL = NotificationChannel.EMAIL
# Staff are told in the bell and by email; WhatsApp and SMS stay for conversations with contacts.
OFFERED_CHANNELS: tuple[str, ...] = (IN_APP, EMAIL)
CHANNELS_HELP = gettext_lazy(
    "Notifications reach you in the bell at the top of every page and by email. WhatsApp and SMS are kept "
    "for conversations with your contacts, so they are not offered here.")

DEFAULT_CHANNELS: dict[str, tuple[str, ...]] = {
    NotificationType.LEAD_ASSIGNED: (IN_APP, EMAIL),
    NotificationType.REPLY_RECEIVED: (IN_APP,),
    NotificationType.MEETING_BOOKED: (IN_APP, EMAIL),
    NotificationType.MEETING_REMINDER: (IN_APP,),
    NotificationType.SEND_FAILED: (IN_APP, EMAIL),
    NotificationType.TASK_DUE: (IN_APP,),
    NotificationType.DAILY_DIGEST: (IN_APP, EMAIL),
    NotificationType.AFFILIATE_ALERT: (IN_APP, EMAIL),
    NotificationType.AFFILIATE_WEEKLY_REPORT: (EMAIL,),
    NotificationType.DISPUTE: (IN_APP, EMAIL),
    NotificationType.PAYOUT: (IN_APP, EMAIL),
}


def _known_type(type: str) -> str:
    if type not in NotificationType.values:
        raise ValueError(f"Unknown notification type {type!r}; add it to NotificationType first.")
    return type


def channels_for(user, type: str) -> list[str]:
    """The channels `user` gets notifications of `type` on, in a fixed order; none for an inactive user."""
    _known_type(type)
    if not getattr(user, "is_active", False):
        return []
    chosen = (user.notification_channels or {}).get(type)
    if chosen is None:
        chosen = DEFAULT_CHANNELS[type]
    return [channel for channel in OFFERED_CHANNELS if channel in chosen]


def preferences_of(user) -> dict[str, list[str]]:
    """Every type with the channels the user gets it on (their choice, or the default)."""
    return {type: channels_for(user, type) if user.is_active else [] for type in NotificationType.values}


@contextmanager
def in_language_of(user):
    """Write a notification's text in the recipient's language, whatever the current request speaks."""
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        yield


def notify(*, user, type: str, title, body="", url: str = "") -> None:
    """Tell `user` about something, on the channels they chose for `type`. See the module docstring for
    the language of `title` and `body`. `url` is a path on the tenant's host (e.g. a lead's page)."""
    channels = channels_for(user, type)
    if not channels:
        return
    with in_language_of(user):
        title, body = " ".join(str(title).split())[:255], str(body or "")
    if IN_APP in channels:
        notification_create(user=user, type=type, title=title, body=body, url=url)
    if EMAIL in channels and user.email:
        row = Notification.objects.create(user=user, type=type, title=title, body=body, url=url, channel=EMAIL)
        from dealix.core.jobs import enqueue
        # django-rq pushes the job when the surrounding transaction commits (at once outside one).
        enqueue(send_notification_email, str(row.pk))


# --- the email -------------------------------------------------------------------------------------

def absolute_url(path: str) -> str:
    """`path` on the current tenant's own host, for links that leave the browser (emails)."""
    from dealix.tenancy.services import tenant_url
    tenant = current_tenant()
    return tenant_url(path, tenant=tenant) if tenant is not None else path


def body_blocks(body: str) -> list[dict]:
    """The body as blocks for the HTML part: paragraphs split on blank lines; lines starting with "• "
    become a list under the paragraph's first line (the daily summary is written that way)."""
    blocks = []
    for chunk in (body or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        items = [line[2:] for line in lines if line.startswith("• ")]
        text = [line for line in lines if not line.startswith("• ")]
        blocks.append({"lines": text, "items": items})
    return blocks


def build_email(row: Notification) -> EmailMultiAlternatives:
    """The email of one notification, text and HTML, in the recipient's language."""
    user = row.user
    with in_language_of(user):
        context = {
            "user": user, "title": row.title, "body": row.body, "blocks": body_blocks(row.body),
            "link": absolute_url(row.url) if row.url else "",
            "preferences_link": absolute_url(reverse("accounts:notifications")),
            "tenant_name": getattr(current_tenant(), "name", ""),
            "language": translation.get_language(), "rtl": translation.get_language_bidi(),
        }
        text = render_to_string("core/email/notification.txt", context)
        html = render_to_string("core/email/notification.html", context)
    message = EmailMultiAlternatives(subject=row.title, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[user.email], headers={"Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    return message


@transaction.atomic
def send_notification_email(notification_id: str) -> bool:
    """The job: send one email notification, once. Returns whether it sent now."""
    row = (Notification.objects.select_for_update().select_related("user")
           .filter(pk=notification_id, channel=EMAIL).first())
    if row is None or row.is_read:
        return False
    if row.user.is_active and row.user.email:
        build_email(row).send()
    row.is_read, row.read_at = True, timezone.now()
    row.save(update_fields=["is_read", "read_at", "updated_at"])
    return True


# --- preferences -----------------------------------------------------------------------------------

@transaction.atomic
def notification_preferences_update(*, actor, user, channels: dict):
    """Save which channels `user` gets each type of notification on. A user changes only their own."""
    if actor is None or getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied("A user may change only their own notification preferences.")
    cleaned = {}
    for type, chosen in (channels or {}).items():
        if type not in NotificationType.values:
            raise ValidationError(_("“%(type)s” is not a kind of notification.") % {"type": type}, code="type")
        unknown = [channel for channel in chosen if channel not in OFFERED_CHANNELS]
        if unknown:
            raise ValidationError(_("“%(channel)s” is not a channel notifications can be sent on.")
                                  % {"channel": unknown[0]}, code="channel")
        cleaned[type] = [channel for channel in OFFERED_CHANNELS if channel in chosen]
    from dealix.accounts.models import User
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, ["notification_channels"])
    user.notification_channels = {**(user.notification_channels or {}), **cleaned}
    user.save(update_fields=["notification_channels", "updated_at"])
    audit_update(actor=actor, instance=user, before=before)
    return user
