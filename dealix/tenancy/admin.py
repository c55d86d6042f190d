from django.contrib import admin

from dealix.core.admin_base import PublicModelAdmin
from dealix.tenancy.models import Domain, Subscription, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary"]


@admin.register(Tenant)
class TenantAdmin(PublicModelAdmin):
    list_display = ["name", "slug", "plan", "is_active", "created_at"]
    list_filter = ["plan", "is_active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "slug", "created_at", "updated_at"]
    fields = ["name", "slug", "schema_name", "plan", "domain", "is_active", "settings", "created_at", "updated_at"]
    inlines = [DomainInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # tenants are created by sign-up or `manage.py tenant_create`, which clone the schema


@admin.register(Domain)
class DomainAdmin(PublicModelAdmin):
    list_display = ["domain", "tenant", "is_primary", "created_at"]
    list_filter = ["is_primary"]
    search_fields = ["domain", "tenant__name"]
    autocomplete_fields = ["tenant"]
    list_select_related = ["tenant"]
    date_hierarchy = "created_at"


@admin.register(Subscription)
class SubscriptionAdmin(PublicModelAdmin):
    list_display = ["tenant", "plan", "status", "billing_cycle", "current_period_start", "current_period_end",
                    "payment_provider"]
    list_filter = ["status", "plan", "billing_cycle", "payment_provider"]
    search_fields = ["tenant__name", "tenant__slug", "external_id"]
    autocomplete_fields = ["tenant"]
    list_select_related = ["tenant"]
    date_hierarchy = "current_period_start"
