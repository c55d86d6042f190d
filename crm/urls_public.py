"""Pages of a tenant's host that visitors reach without logging in."""
from django.urls import path

from crm import views_capture

app_name = "crm_public"
urlpatterns = [
    path("lead/", views_capture.lead_form, name="lead_form"),
]
