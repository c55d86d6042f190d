"""Provider webhooks on a tenant's host (no login; each checks the tenant's own secret)."""
from django.urls import path

from crm import views_webhooks

app_name = "crm_webhooks"
urlpatterns = [
    path("whatsapp/", views_webhooks.whatsapp, name="whatsapp"),
    path("sms/", views_webhooks.sms, name="sms"),
]
