"""The public lead form (no login): served on the tenant's host, embeddable in an iframe."""
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from csp.decorators import csp_replace

from crm.capture import PublicLeadForm, lead_capture, new_form_token, over_rate_limit
from dealix.core.middleware import client_ip


# Embedded on customers' own sites, so: any frame ancestor, and no CSRF cookie (third-party iframes
# often cannot keep one); the signed time token, the honeypot and the rate limit guard the form instead.
@login_not_required
@csrf_exempt
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def lead_form(request):
    if not getattr(request, "requested_language", None) and request.method == "GET" \
            and not request.COOKIES.get("dealix_language"):
        translation.activate(request.tenant.language)
        request.LANGUAGE_CODE = request.tenant.language
    embedded = request.GET.get("embed") == "1" or request.POST.get("embed") == "1"
    initial = {"ref": request.GET.get("ref", ""), "token": new_form_token()}
    form = PublicLeadForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if over_rate_limit(client_ip(request)):
            form.add_error(None, form.error_class([translation.gettext(
                "Too many messages from your connection. Please try again in an hour.")]))
            status = 429
        elif form.is_valid():
            lead_capture(data=form.cleaned_data, channels=form.chosen_channels(), ip_address=client_ip(request))
            return render(request, "crm/public/lead_form_done.html", {"embedded": embedded})
        else:
            status = 400
        form.data = form.data.copy()
        form.data["token"] = new_form_token() if not form.cleaned_data.get("token") else form.data["token"]
    return render(request, "crm/public/lead_form.html", {"form": form, "embedded": embedded}, status=status)
