"""Reads of the core app."""
from dealix.core.choices import NotificationChannel
from dealix.core.models import AuditLog, Notification


def notifications_for(user, *, limit: int = 10):
    # email rows are the outbox of dealix.core.notifications, not bell entries
    return Notification.objects.filter(user=user, channel=NotificationChannel.IN_APP).order_by("-created_at")[:limit]


def unread_notification_count(user) -> int:
    return Notification.objects.filter(user=user, channel=NotificationChannel.IN_APP, is_read=False).count()


def audit_entries_for(entity_type: str, entity_id, *, limit: int = 50):
    return (AuditLog.objects.filter(entity_type=entity_type, entity_id=entity_id)
            .select_related("user").order_by("-created_at")[:limit])
