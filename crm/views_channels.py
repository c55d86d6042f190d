"""The channels page (admins and owners): how each channel goes out now, and its credentials."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.channel_settings import CHANNEL_FORMS, channel_settings_update, stored_settings
from crm.channels import channel_status
from dealix.accounts import roles


def _context(request, forms=None) -> dict:
    forms = forms or {}
    return {
        "status": channel_status(),
        "forms": {channel: forms.get(channel) or form_class(stored=stored_settings(channel))
                  for channel, form_class in CHANNEL_FORMS.items()},
        "whatsapp_webhook": request.build_absolute_uri(reverse("crm_webhooks:whatsapp")),
        "sms_webhook": request.build_absolute_uri(reverse("crm_webhooks:sms")),
        "verify_token": stored_settings("whatsapp").get("verify_token", ""),
    }


@roles.capability_required(roles.SETTINGS_MANAGE)
def channels(request):
    return render(request, "crm/channels.html", _context(request))


@require_POST
@roles.capability_required(roles.SETTINGS_MANAGE)
def channel_save(request, channel: str):
    form_class = CHANNEL_FORMS.get(channel)
    if form_class is None:
        return redirect("crm:channels")
    if request.POST.get("disconnect"):
        channel_settings_update(actor=request.user, channel=channel, values=None)
        messages.success(request, _("Disconnected: messages on this channel now go to the outbox."))
        return redirect("crm:channels")
    form = form_class(request.POST, stored=stored_settings(channel))
    if not form.is_valid():
        return render(request, "crm/channels.html", _context(request, {channel: form}), status=400)
    channel_settings_update(actor=request.user, channel=channel, values=form.values())
    messages.success(request, _("Saved. New messages on this channel go through the provider."))
    return redirect("crm:channels")
