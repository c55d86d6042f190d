from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from dealix.accounts.models import User
from dealix.core.admin_base import AuditedAdminMixin


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "role", "language", "phone"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ["email", "full_name", "role", "language", "is_active", "last_login_at"]
    list_filter = ["role", "is_active", "language"]
    search_fields = ["email", "full_name", "phone"]
    ordering = ["full_name"]
    readonly_fields = ["last_login_at", "last_login", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "phone", "language", "sector"]}),
        (_("Access"), {"fields": ["role", "is_active"]}),
        (_("Dates"), {"fields": ["last_login_at", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "role", "language", "phone",
                                                "password1", "password2"]}),
    ]
    filter_horizontal = []

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted: their audit trail must stay whole
