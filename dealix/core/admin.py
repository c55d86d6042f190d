from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dealix.core.admin_base import ReadOnlyAdminMixin
from dealix.core.models import AuditLog, Notification

admin.site.site_header = _("Dealix administration")
admin.site.site_title = _("Dealix administration")
admin.site.index_title = _("Administration")


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "action", "entity_type", "entity_id", "ip_address"]
    list_filter = ["action", "entity_type"]
    search_fields = ["entity_type", "entity_id", "user__email"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "type", "title", "channel", "is_read"]
    list_filter = ["type", "channel", "is_read"]
    search_fields = ["title", "user__email"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff
