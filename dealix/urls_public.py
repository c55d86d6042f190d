"""URLs of the public site (the bare domain): landing page, sign-up, the operators' admin."""
from django.contrib import admin
from django.urls import include, path

from dealix.tenancy import views as tenancy_views

urlpatterns = [
    path("", tenancy_views.landing, name="landing"),
    path("signup/", tenancy_views.signup, name="signup"),
    path("accounts/", include("dealix.accounts.urls")),
    path("admin/", admin.site.urls),
]
