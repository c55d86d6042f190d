"""URLs of a tenant's host (acme.<domain>)."""
from django.contrib import admin
from django.urls import include, path

from dealix.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("dealix.accounts.urls")),
    path("core/", include("dealix.core.urls")),
    path("crm/", include("crm.urls")),
    path("forms/", include("crm.urls_public")),
    path("book/", include("crm.urls_booking")),
    path("webhooks/", include("crm.urls_webhooks")),
    path("affiliates/", include("affiliates.urls")),
    path("compliance/", include("compliance.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("admin/", admin.site.urls),
]
