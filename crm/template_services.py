"""Writes of message templates: create, edit, deactivate. Managers and up may (roles.TEMPLATES_MANAGE);
every write is checked by `crm.templating.validate_template` and audited in its own transaction."""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.choices import TemplateType
from crm.models import Template
from crm.templating import validate_template
from dealix.accounts import roles
from dealix.core.audit import audit_create, audit_update, snapshot

EDITABLE_FIELDS = ("name", "type", "language", "subject", "body", "is_active", "approved", "provider_name")
# Only an email has a subject; a call script and a WhatsApp or SMS text would never show one.
TYPES_WITH_SUBJECT = (TemplateType.EMAIL, TemplateType.PROPOSAL)
_PROVIDER_NAME = re.compile(r"^[a-z0-9_]+$")


def _check(template: Template) -> None:
    """The checks a template's text and WhatsApp fields must pass, as one field-keyed error."""
    errors = {}
    try:
        validate_template(type=template.type, subject=template.subject, body=template.body,
                          language=template.language)
    except ValidationError as error:
        errors.update(error.message_dict)
    if template.type == TemplateType.WHATSAPP:
        if template.provider_name and not _PROVIDER_NAME.match(template.provider_name):
            errors.setdefault("provider_name", []).append(
                _("WhatsApp template names use lower-case letters, digits and underscores only."))
        if template.approved and not template.provider_name:
            errors.setdefault("provider_name", []).append(
                _("Give the name WhatsApp approved the template under."))
    if errors:
        raise ValidationError(errors)


def _apply(template: Template, data: dict) -> None:
    for name in EDITABLE_FIELDS:
        if name in data:
            value = data[name]
            setattr(template, name, value.strip() if isinstance(value, str) and name != "body" else value)
    if template.type not in TYPES_WITH_SUBJECT:
        template.subject = ""
    if template.type != TemplateType.WHATSAPP:
        template.approved, template.provider_name = False, ""


@transaction.atomic
def template_create(*, actor, data: dict) -> Template:
    roles.require(actor, roles.TEMPLATES_MANAGE)
    template = Template(key=data.get("key", ""))
    _apply(template, data)
    _check(template)
    template.full_clean()
    template.save()
    audit_create(actor=actor, instance=template)
    return template


@transaction.atomic
def template_update(*, actor, template: Template, data: dict) -> Template:
    """Edit a template. A new text for an approved WhatsApp template clears the approval: WhatsApp sends
    the text it approved, so ours would no longer be what the contact receives."""
    roles.require(actor, roles.TEMPLATES_MANAGE)
    template = Template.objects.select_for_update().get(pk=template.pk)
    before = snapshot(template)
    _apply(template, data)
    if before["approved"] and template.type == TemplateType.WHATSAPP and template.body != before["body"]:
        template.approved = False
    _check(template)
    template.full_clean()
    template.save()
    audit_update(actor=actor, instance=template, before=before)
    return template


@transaction.atomic
def template_set_active(*, actor, template: Template, active: bool) -> Template:
    """Deactivate (or reactivate) a template. An inactive one stays for the messages sent from it, and
    automations fall back to the other language or to none (`crm.templating.standard_template`). The
    text is not re-checked: retiring a template must work even when its text no longer passes."""
    roles.require(actor, roles.TEMPLATES_MANAGE)
    template = Template.objects.select_for_update().get(pk=template.pk)
    before = snapshot(template, ["is_active"])
    template.is_active = active
    template.save(update_fields=["is_active", "updated_at"])
    audit_update(actor=actor, instance=template, before=before)
    return template
