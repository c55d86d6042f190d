"""Reads of the core app."""
from dealix.core.models import AuditLog, Notification


def notifications_for(user, *, limit: int = 10):
    return Notification.objects.filter(user=user).order_by("-created_at")[:limit]


def unread_notification_count(user) -> int:
    return Notification.objects.filter(user=user, is_read=False).count()


def audit_entries_for(entity_type: str, entity_id, *, limit: int = 50):
    return (AuditLog.objects.filter(entity_type=entity_type, entity_id=entity_id)
            .select_related("user").order_by("-created_at")[:limit])
