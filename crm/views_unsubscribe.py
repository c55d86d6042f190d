"""The unsubscribe link at the foot of every email (no login). A GET only asks, because mail scanners
open links; the button (or a mail client's one-click `List-Unsubscribe-Post`) revokes the consent."""
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from crm.messaging import read_unsubscribe_token, unsubscribe
from crm.models import Contact
from dealix.core.middleware import client_ip


@login_not_required
@csrf_exempt  # one-click unsubscribe comes from the mail client, which has no CSRF cookie; the signed token guards it
def unsubscribe_view(request, token):
    found = read_unsubscribe_token(token)
    contact = Contact.objects.filter(pk=found[0]).first() if found else None
    if contact is None:
        raise Http404
    channel = found[1]
    if not getattr(request, "requested_language", None):
        translation.activate(contact.language)
        request.LANGUAGE_CODE = contact.language
    if request.method == "POST":
        unsubscribe(contact=contact, channel=channel, ip_address=client_ip(request))
        return render(request, "crm/public/unsubscribe_done.html", {"tenant": request.tenant})
    return render(request, "crm/public/unsubscribe.html", {"tenant": request.tenant, "contact": contact})
