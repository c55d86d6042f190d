"""The conversation of a lead or a contact: every channel in one thread, a reply box, and the actions
on one message (send again, stop). The thread refreshes itself (htmx polling) so replies and delivery
reports appear without reloading; the reply box is a separate fragment so polling never wipes what the
agent is typing."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from crm import messaging, selectors
from crm.choices import Direction, MessageChannel
from crm.forms_messages import MessageForm
from crm.models import Contact, Lead, Message
from dealix.accounts import roles
from dealix.tenancy.rules import current_rules


def _subject(request, kind: str, pk):
    if kind == "lead":
        lead = get_object_or_404(Lead.objects.visible_to(request.user), pk=pk)
        return lead, None
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("lead"), pk=pk)
    return None, contact


def conversation_context(request, *, lead=None, contact=None, form=None, sent=None) -> dict:
    """What the conversation card needs; the lead and contact pages include the card with this."""
    recipient = contact or (messaging._recipient_contact(None, lead) if lead is not None else None)
    thread = selectors.conversation_messages(lead=lead, contact=contact)
    whatsapp_open_until = _whatsapp_window_end(thread)
    return {
        "conversation_lead": lead, "conversation_contact": contact, "recipient": recipient,
        "thread": thread, "consent_badges": selectors.consent_badges(recipient),
        "message_form": form or MessageForm(initial={"channel": MessageChannel.WHATSAPP}),
        "can_work": roles.can(request.user, roles.CRM_WORK), "sent": sent,
        "whatsapp_open_until": whatsapp_open_until, "now": timezone.now(),
        "thread_url": _thread_url(lead, contact),
    }


def _thread_url(lead, contact) -> str:
    from django.urls import reverse
    if lead is not None:
        return reverse("crm:lead_conversation", args=[lead.pk])
    return reverse("crm:contact_conversation", args=[contact.pk])


def _whatsapp_window_end(thread) -> datetime.datetime | None:
    last_inbound = next((message.sent_at or message.created_at for message in reversed(thread)
                         if message.direction == Direction.INBOUND and message.channel == MessageChannel.WHATSAPP), None)
    if last_inbound is None:
        return None
    end = last_inbound + datetime.timedelta(hours=current_rules().whatsapp_free_text_hours)
    return end if end > timezone.now() else None


@roles.capability_required(roles.CRM_VIEW)
def conversation(request, kind: str, pk):
    """GET: the thread (the fragment htmx polls, or the owner's page without JavaScript).
    POST: send from the reply box; answers with the reply box and, out of band, the thread."""
    lead, contact = _subject(request, kind, pk)
    if request.method == "GET":
        context = conversation_context(request, lead=lead, contact=contact)
        if request.htmx:
            return render(request, "crm/partials/conversation_thread.html", context)
        return redirect(_page_url(lead, contact))
    roles.require(request.user, roles.CRM_WORK)
    form = MessageForm(request.POST)
    sent = None
    if form.is_valid():
        try:
            sent = messaging.message_send(
                actor=request.user, channel=form.cleaned_data["channel"], lead=lead, contact=contact,
                template=form.cleaned_data["template"], body=form.cleaned_data["content"],
                subject=form.cleaned_data["subject"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            form = MessageForm(initial={"channel": form.cleaned_data["channel"]})
    context = conversation_context(request, lead=lead, contact=contact, form=form, sent=sent)
    if request.htmx:
        return render(request, "crm/partials/conversation_reply.html", {**context, "oob_thread": True},
                      status=200 if sent is not None else 400)
    return redirect(_page_url(lead, contact))


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def _page_url(lead, contact) -> str:
    from django.urls import reverse
    if lead is not None:
        return reverse("crm:lead_detail", args=[lead.pk]) + "#conversation"
    return reverse("crm:contact_detail", args=[contact.pk]) + "#conversation"


def _visible_message(request, pk) -> Message:
    return get_object_or_404(Message.objects.visible_to(request.user).select_related("lead", "contact"), pk=pk)


@require_POST
@roles.capability_required(roles.CRM_WORK)
def message_action(request, pk, action: str):
    """Send a failed message again, or stop a waiting one; answers with the refreshed thread."""
    message = _visible_message(request, pk)
    error = None
    try:
        if action == "retry":
            messaging.message_retry(actor=request.user, message=message)
        else:
            messaging.message_cancel(actor=request.user, message=message)
    except ValidationError as problem:
        error = " ".join(problem.messages)
    lead = message.lead if message.lead_id else None
    contact = None if lead is not None else message.contact
    if lead is not None and not Lead.objects.visible_to(request.user).filter(pk=lead.pk).exists():
        lead, contact = None, message.contact
    context = conversation_context(request, lead=lead, contact=contact)
    if request.htmx:
        return render(request, "crm/partials/conversation_thread.html", {**context, "action_error": error},
                      status=400 if error else 200)
    return redirect(_page_url(lead, contact))
