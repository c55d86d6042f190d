"""Pages of a tenant's host that visitors reach without logging in."""
from django.urls import path

from crm import views_capture, views_unsubscribe

app_name = "crm_public"
urlpatterns = [
    path("lead/", views_capture.lead_form, name="lead_form"),
    path("unsubscribe/<str:token>/", views_unsubscribe.unsubscribe_view, name="unsubscribe"),
]
