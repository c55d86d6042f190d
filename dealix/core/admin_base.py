"""Base classes for Django admin that know which schema a model lives in, and audit every save."""
from django.contrib import admin
from django.db import connection
from django_tenants.utils import get_public_schema_name

from dealix.core.audit import audit, audit_create, audit_update, snapshot
from dealix.core.choices import AuditAction


def on_public_schema() -> bool:
    return connection.schema_name == get_public_schema_name()


class AuditedAdminMixin:
    """Admin writes leave the same audit rows as the pages do."""

    def save_model(self, request, obj, form, change):
        if change:
            before = snapshot(obj.__class__.objects.get(pk=obj.pk))
            super().save_model(request, obj, form, change)
            audit_update(actor=request.user, instance=obj, before=before)
        else:
            super().save_model(request, obj, form, change)
            audit_create(actor=request.user, instance=obj)

    def delete_model(self, request, obj):
        audit(actor=request.user, action=AuditAction.DELETE, instance=obj, changes={
            key: [value, None] for key, value in snapshot(obj).items()})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class TenantModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """For models that live in tenant schemas: invisible in the platform (public) admin."""

    def has_module_permission(self, request):
        return not on_public_schema() and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return not on_public_schema() and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return not on_public_schema() and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return not on_public_schema() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not on_public_schema() and super().has_delete_permission(request, obj)


class PublicModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """For platform tables (tenants, domains): only platform operators, only in the public admin."""

    def _allowed(self, request):
        return on_public_schema() and request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False  # a tenant is suspended (is_active), never deleted from the admin


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
