from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import translation

from dealix.tenancy.forms import SignupForm
from dealix.tenancy.services import host_for, tenant_create


@login_not_required
def landing(request):
    return render(request, "tenancy/landing.html")


@login_not_required
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tenant = tenant_create(actor=None, name=data["company_name"], slug=data["slug"],
                               owner_email=data["email"], owner_full_name=data["full_name"],
                               owner_password=data["password"], language=data["language"])
        port = request.get_port()
        host = host_for(tenant.slug) + (f":{port}" if port not in ("80", "443") else "")
        login_url = f"{request.scheme}://{host}/accounts/login/"
        return render(request, "tenancy/signup_done.html", {"tenant": tenant, "login_url": login_url,
                                                           "email": data["email"]})
    return render(request, "tenancy/signup.html", {"form": form})


@login_not_required
def unknown_host(request):
    """No tenant answers to this host name (django-tenants' DEFAULT_NOT_FOUND_TENANT_VIEW)."""
    translation.activate(translation.get_language_from_request(request))
    return render(request, "404.html", {"unknown_host": request.get_host()}, status=404)
