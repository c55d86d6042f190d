"""Writing the audit log. Services call `audit(...)` inside their own transaction, so a write and its
audit row are committed together or not at all."""
from __future__ import annotations

import datetime
import decimal
import uuid
from contextvars import ContextVar

from django.db import models
from django.db.backends.postgresql.psycopg_any import Range

from dealix.core.choices import AuditAction
from dealix.core.models import AuditLog

# Set by dealix.core.middleware.RequestContextMiddleware for the duration of a request.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def _json_value(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Range):  # a meeting's `busy` time, as "[start, end)" in ISO form
        if value.isempty:
            return None
        return f"{value.bounds[0]}{_json_value(value.lower)}, {_json_value(value.upper)}{value.bounds[1]}"
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The instance's concrete field values, JSON-safe, keyed by attribute name (FKs by id)."""
    values = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in ("password", "created_at", "updated_at"):
            continue
        values[field.attname] = _json_value(getattr(instance, field.attname))
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields whose value changed."""
    return {key: [before.get(key), after.get(key)] for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)}


def audit(*, actor, action: str, instance: models.Model | None = None, entity_type: str | None = None,
          entity_id=None, changes: dict | None = None, ip_address: str | None = None) -> AuditLog:
    if instance is not None:
        entity_type = entity_type or instance._meta.label_lower
        entity_id = entity_id or instance.pk
    if entity_id is not None and not isinstance(entity_id, uuid.UUID):
        try:
            entity_id = uuid.UUID(str(entity_id))
        except ValueError:
            entity_id = None
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        user=user, action=action, entity_type=entity_type or "", entity_id=entity_id,
        changes=changes or {}, ip_address=ip_address or current_ip.get(),
    )


def audit_create(*, actor, instance: models.Model) -> AuditLog:
    return audit(actor=actor, action=AuditAction.CREATE, instance=instance,
                 changes={key: [None, value] for key, value in snapshot(instance).items() if value not in (None, "")})


def audit_update(*, actor, instance: models.Model, before: dict) -> AuditLog | None:
    """Audit the fields `before` captured (a snapshot of some or all fields) that have changed."""
    after = snapshot(instance)
    changes = diff(before, {key: after.get(key) for key in before})
    if not changes:
        return None
    return audit(actor=actor, action=AuditAction.UPDATE, instance=instance, changes=changes)
