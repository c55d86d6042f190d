from django.urls import path

from crm import views

app_name = "crm"
urlpatterns = [
    path("", views.index, name="index"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/bulk/", views.lead_bulk, name="lead_bulk"),
    path("leads/export.<str:fmt>", views.lead_export, name="lead_export"),
    path("leads/<uuid:pk>/", views.lead_detail, name="lead_detail"),
]
