"""What the shell (base.html) needs on every page: navigation for the user's role and the languages."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dealix.accounts import roles


def _navigation(user):
    if not user.is_authenticated:
        return []
    if roles.is_portal_only(user):
        return [{"label": _("Partner portal"), "url": reverse("affiliates:portal"), "icon": "people",
                 "name": "affiliates:portal"}]
    items = [{"label": _("Home"), "url": reverse("home"), "icon": "house", "name": "home"}]
    if roles.can(user, roles.CRM_VIEW):
        items.append({"label": _("CRM"), "url": reverse("crm:index"), "icon": "kanban", "name": "crm:"})
    if roles.can(user, roles.AFFILIATES_VIEW):
        items.append({"label": _("Affiliates"), "url": reverse("affiliates:index"), "icon": "people",
                      "name": "affiliates:"})
    if roles.can(user, roles.COMPLIANCE_VIEW):
        items.append({"label": _("Compliance"), "url": reverse("compliance:index"), "icon": "shield-check",
                      "name": "compliance:"})
    if roles.can(user, roles.KNOWLEDGE_VIEW):
        items.append({"label": _("Knowledge"), "url": reverse("knowledge:index"), "icon": "book",
                      "name": "knowledge:"})
    return items


def shell(request):
    tenant = getattr(request, "tenant", None)
    is_tenant = tenant is not None and tenant.schema_name != "public"
    user = getattr(request, "user", None)
    view_name = getattr(getattr(request, "resolver_match", None), "view_name", "") or ""
    navigation = _navigation(user) if is_tenant and user is not None else []
    for item in navigation:
        item["active"] = view_name == item["name"] or (item["name"].endswith(":") and view_name.startswith(item["name"]))
    return {
        "current_tenant": tenant if is_tenant else None,
        "navigation": navigation,
        "can_admin": bool(user and roles.can(user, roles.ADMIN_SITE)),
        "can_manage_settings": bool(is_tenant and user and roles.can(user, roles.SETTINGS_MANAGE)),
        "can_search": bool(is_tenant and user and roles.can(user, roles.CRM_VIEW)),
    }
