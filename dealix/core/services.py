"""Writes of the core app."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dealix.core.choices import NotificationChannel
from dealix.core.models import Notification


def notification_create(*, user, type: str, title: str, body: str = "", url: str = "") -> Notification:
    # Notifications are messages to the user, not business records: they are not audited.
    return Notification.objects.create(user=user, type=type, title=title, body=body, url=url)


@transaction.atomic
def notifications_mark_read(*, user, notification_ids=None) -> int:
    # email rows are the outbox of dealix.core.notifications: "read" there means "sent"
    unread = Notification.objects.filter(user=user, channel=NotificationChannel.IN_APP, is_read=False)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(is_read=True, read_at=timezone.now())
