"""What each role may do (RULES.md §9). The one place that answers "may this user do that?": views,
services, admin and templates all ask `can(user, capability)`; nothing compares role names elsewhere.

Capabilities are coarse verbs on areas of the product. Record-level visibility (an agent sees their own
leads, a manager the team's) is the job of each model's `visible_to(user)` queryset, which reads
`record_scope(user)` from here.
"""
from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from dealix.accounts.choices import Role

# --- capabilities ---------------------------------------------------------------------------------
CRM_VIEW = "crm.view"                      # leads, deals, contacts, companies, activities
CRM_WORK = "crm.work"                      # create and edit records in one's scope
CRM_REASSIGN = "crm.reassign"              # give a lead or deal to another agent
CRM_EXPORT = "crm.export"
KNOWLEDGE_VIEW = "knowledge.view"
KNOWLEDGE_EDIT = "knowledge.edit"
TEMPLATES_MANAGE = "templates.manage"      # write message templates (everyone with CRM_VIEW reads them)
AFFILIATES_VIEW = "affiliates.view"        # the programme as staff see it
COMMISSIONS_APPROVE = "commissions.approve"  # approve or hold
COMMISSIONS_PAY = "commissions.pay"        # pay and claw back
PAYOUTS_BUILD = "payouts.build"            # build the monthly batch
PAYOUTS_PROCESS = "payouts.process"
DISPUTES_RESOLVE = "disputes.resolve"
COMPLIANCE_VIEW = "compliance.view"
COMPLAINTS_ASSIGN = "complaints.assign"
GUARANTEE_REVIEW = "guarantee.review"
REFUNDS_PROCESS = "refunds.process"
GUARANTEE_APPROVE_LARGE = "guarantee.approve_large"  # refunds over 50,000 SAR
USERS_MANAGE = "users.manage"
SETTINGS_MANAGE = "settings.manage"
BILLING_MANAGE = "billing.manage"
ADMIN_SITE = "admin.site"                  # Django admin of the tenant
PORTAL = "portal.access"                   # the partner portal
FILE_OWN_DISPUTE = "disputes.file_own"     # any user, about their own records
FILE_COMPLAINT = "complaints.file"
WRITE = "write"                            # any write at all; viewers lack it

_AGENT = {CRM_VIEW, CRM_WORK, CRM_EXPORT, KNOWLEDGE_VIEW, COMPLIANCE_VIEW, FILE_OWN_DISPUTE, FILE_COMPLAINT, WRITE}
_MANAGER = _AGENT | {CRM_REASSIGN, AFFILIATES_VIEW, COMMISSIONS_APPROVE, PAYOUTS_BUILD, GUARANTEE_REVIEW,
                     COMPLAINTS_ASSIGN, DISPUTES_RESOLVE, KNOWLEDGE_EDIT, TEMPLATES_MANAGE}
_ADMIN = _MANAGER | {COMMISSIONS_PAY, PAYOUTS_PROCESS, REFUNDS_PROCESS, USERS_MANAGE, SETTINGS_MANAGE, ADMIN_SITE}
_OWNER = _ADMIN | {BILLING_MANAGE, GUARANTEE_APPROVE_LARGE}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(_OWNER),
    Role.ADMIN: frozenset(_ADMIN),
    Role.MANAGER: frozenset(_MANAGER),
    Role.AGENT: frozenset(_AGENT),
    Role.AFFILIATE: frozenset({PORTAL, FILE_OWN_DISPUTE, FILE_COMPLAINT, WRITE}),
    Role.VIEWER: frozenset({CRM_VIEW, KNOWLEDGE_VIEW, AFFILIATES_VIEW, COMPLIANCE_VIEW}),
}

# Record scopes, for visible_to() querysets.
SCOPE_ALL = "all"      # the whole tenant (managers and up; viewers read everything)
SCOPE_OWN = "own"      # records assigned to or created by the user
SCOPE_PORTAL = "portal"  # an affiliate's own referrals only
SCOPE_NONE = "none"


def can(user, capability: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if getattr(user, "is_superuser", False) and capability != PORTAL:
        return True
    return capability in CAPABILITIES.get(user.role, frozenset())


def record_scope(user) -> str:
    if not can(user, CRM_VIEW) and not can(user, PORTAL):
        return SCOPE_NONE
    if user.role == Role.AFFILIATE:
        return SCOPE_PORTAL
    if user.role == Role.AGENT:
        return SCOPE_OWN
    return SCOPE_ALL


def is_portal_only(user) -> bool:
    """Affiliates see the partner portal and nothing else."""
    return bool(getattr(user, "is_authenticated", False)) and user.role == Role.AFFILIATE and not user.is_superuser


def require(user, capability: str) -> None:
    """For services: raise PermissionDenied unless the user may."""
    if not can(user, capability):
        raise PermissionDenied(capability)


def capability_required(capability: str):
    """For views: 403 unless the logged-in user has the capability (login is the middleware's job)."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, capability)
            return view(request, *args, **kwargs)
        return wrapped
    return decorator
