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
    path("leads/<uuid:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<uuid:pk>/status/", views.lead_status, name="lead_status"),
    path("leads/<uuid:pk>/convert/", views.lead_convert, name="lead_convert"),
    path("leads/<uuid:pk>/assign/", views.lead_reassign, name="lead_reassign"),
    path("leads/<uuid:pk>/notes/", views.lead_add_note, name="lead_add_note"),
    path("leads/<uuid:pk>/tasks/", views.lead_add_task, name="lead_add_task"),
    path("tasks/<uuid:pk>/done/", views.task_done, name="task_done"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("deals/<uuid:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<uuid:pk>/move/", views.deal_move, name="deal_move"),
]
