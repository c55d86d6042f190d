import uuid

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dealix.core.admin_base import DealixModelAdmin, ReadOnlyAdminMixin, TenantModelAdmin
from dealix.core.models import AuditLog, Notification, Property, PropertyDefinition, SavedView

admin.site.site_header = _("Dealix administration")
admin.site.site_title = _("Dealix administration")
admin.site.index_title = _("Administration")



class StaffReadOnlyAdmin(ReadOnlyAdminMixin, DealixModelAdmin):
    """Tables of both schemas that the application writes and people only read."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(AuditLog)
class AuditLogAdmin(StaffReadOnlyAdmin):
    """Append-only: no add, change or delete, whoever asks."""

    list_display = ["created_at", "user", "action", "entity_type", "entity_id", "ip_address"]
    list_filter = ["action", "entity_type", "user"]
    list_select_related = ["user"]
    search_fields = ["entity_type", "user__email"]
    search_help_text = _("A record's id, a table name (crm.lead) or a user's email.")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # An id is looked up exactly, through the (entity_type, entity_id) index, rather than as text.
        try:
            entity_id = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(Q(entity_id=entity_id) | Q(pk=entity_id)), False


@admin.register(Notification)
class NotificationAdmin(StaffReadOnlyAdmin):
    list_display = ["created_at", "user", "type", "title", "channel", "is_read"]
    list_filter = ["type", "channel", "is_read"]
    list_select_related = ["user"]
    search_fields = ["title", "user__email"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Property)
class PropertyAdmin(TenantModelAdmin):
    list_display = ["entity_type", "entity_id", "key", "value", "updated_at"]
    list_filter = ["entity_type", "key"]
    search_fields = ["key", "value"]
    date_hierarchy = "created_at"


@admin.register(SavedView)
class SavedViewAdmin(TenantModelAdmin):
    """People's own list presets; here to help someone whose default view hides what they look for."""

    list_display = ["name", "user", "list_key", "is_default", "updated_at"]
    list_filter = ["list_key", "is_default"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    search_fields = ["name", "user__full_name", "user__email"]
    date_hierarchy = "created_at"


@admin.register(PropertyDefinition)
class PropertyDefinitionAdmin(TenantModelAdmin):
    list_display = ["label", "label_ar", "entity_type", "key", "field_type", "is_filterable", "position"]
    list_filter = ["entity_type", "field_type"]
    search_fields = ["label", "label_ar", "key"]
    date_hierarchy = "created_at"
