"""Writes about users. Every one is audited in the same transaction."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dealix.accounts import roles
from dealix.accounts.choices import Language
from dealix.accounts.models import User
from dealix.core.audit import audit, audit_create, audit_update, snapshot
from dealix.core.choices import AuditAction


@transaction.atomic
def user_create(*, actor, email: str, full_name: str, role: str, password: str | None = None,
                language: str = Language.ARABIC, phone: str = "", sector: str = "",
                check_permission: bool = True) -> User:
    """Create a user of the current schema. `check_permission=False` is for bootstrapping a tenant's
    first owner (sign-up, management commands), where there is no actor yet."""
    if check_permission:
        roles.require(actor, roles.USERS_MANAGE)
    user = User.objects.create_user(email=email, password=password, full_name=full_name, role=role,
                                    language=language, phone=phone, sector=sector)
    audit_create(actor=actor, instance=user)
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language not in Language.values or user.language == language:
        return user
    before = snapshot(user, ["language"])
    user.language = language
    user.save(update_fields=["language", "updated_at"])
    audit_update(actor=user, instance=user, before=before)
    return user


@transaction.atomic
def user_record_login(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(last_login_at=timezone.now())
    audit(actor=user, action=AuditAction.LOGIN, instance=user)
