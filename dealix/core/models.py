"""Cross-cutting tables of every schema: the audit log and in-app notifications."""
import re
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealix.core.choices import AuditAction, NotificationChannel


class TimeStampedModel(models.Model):
    """UUID primary key and created/updated stamps, as every table of the data model has."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


class SearchableModel(TimeStampedModel):
    """A model people search by name, phone or email. `search_text` holds the Arabic-normalised,
    lower-cased text of SEARCH_FIELDS (and phones in both E.164 and local form), kept up to date on every
    save, and each concrete model gives it a trigram (gin_trgm_ops) index, so `search_text__contains`
    finds أحمد when احمد is typed, in milliseconds at 100k rows. The typed values are never changed."""

    SEARCH_FIELDS: tuple[str, ...] = ()
    PHONE_FIELDS: tuple[str, ...] = ()

    search_text = models.TextField(_("search text"), default="", blank=True, editable=False)

    class Meta:
        abstract = True

    def build_search_text(self) -> str:
        from dealix.core.phones import normalise_phone
        from dealix.core.text import normalise_text, phone_search_forms
        parts = [str(getattr(self, name) or "") for name in self.SEARCH_FIELDS]
        for name in self.PHONE_FIELDS:
            # Paths that skip full_clean() (imports, bulk seeding) may hold a phone as typed.
            phone = getattr(self, name)
            if phone and not _E164.match(phone):
                phone = normalise_phone(phone) or phone
            parts.extend(phone_search_forms(phone))
        return normalise_text(" ".join(part for part in parts if part))

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit rows are append-only.")

    def delete(self):
        raise TypeError("Audit rows are append-only.")


class AuditLog(TimeStampedModel):
    """One row per write, written by the service in the same transaction as the write itself.
    Append-only: rows are never changed or deleted by the application."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="audit_logs")
    action = models.CharField(_("action"), max_length=50, choices=AuditAction.choices)
    entity_type = models.CharField(_("entity type"), max_length=50)
    entity_id = models.UUIDField(_("entity id"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True,
                               help_text=_("Field by field: the value before and after."))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"  # related-object access goes through the append-only queryset too
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["entity_type", "entity_id"], name="core_audit_entity_idx"),
                   models.Index(fields=["user", "created_at"], name="core_audit_user_idx")]

    def __str__(self):
        return f"{self.get_action_display()} {self.entity_type} {self.entity_id or ''}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit rows are append-only.")


class Notification(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="notifications")
    type = models.CharField(_("type"), max_length=50)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannel.choices,
                               default=NotificationChannel.IN_APP)
    is_read = models.BooleanField(_("read"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "is_read", "-created_at"], name="core_notif_user_unread_idx")]

    def __str__(self):
        return self.title


class PropertyEntity(models.TextChoices):
    LEAD = "lead", _("Lead")
    DEAL = "deal", _("Deal")
    CONTACT = "contact", _("Contact")
    COMPANY = "company", _("Company")


class Property(TimeStampedModel):
    """A custom field's value on one record (seed `properties`): `entity_type` + `entity_id` name the
    record, `key` the field. One value per record and key."""

    entity_type = models.CharField(_("entity type"), max_length=50, choices=PropertyEntity.choices)
    entity_id = models.UUIDField(_("entity id"))
    key = models.CharField(_("key"), max_length=100)
    value = models.TextField(_("value"), blank=True)

    class Meta:
        verbose_name = _("custom field value")
        verbose_name_plural = _("custom field values")
        ordering = ["entity_type", "key"]
        indexes = [models.Index(fields=["entity_type", "key", "value"], name="core_property_filter_idx")]
        constraints = [
            models.UniqueConstraint(fields=["entity_type", "entity_id", "key"], name="core_property_one_value",
                                    violation_error_message=_("This record already has a value for that field.")),
        ]

    def __str__(self):
        return f"{self.key} = {self.value}"


class SavedView(TimeStampedModel):
    """A user's named filter, sort and columns for one list (e.g. "my hot leads in Riyadh"). The one
    marked `is_default` is applied when the list opens without parameters; its columns are the user's
    column choice for that list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="saved_views")
    list_key = models.CharField(_("list"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    query_string = models.CharField(_("filters"), max_length=2000, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["list_key", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key", "name"], name="core_savedview_unique_name",
                                    violation_error_message=_("You already have a view with this name.")),
            models.UniqueConstraint(fields=["user", "list_key"], condition=models.Q(is_default=True),
                                    name="core_savedview_one_default"),
        ]

    def __str__(self):
        return self.name


class PropertyType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    YES_NO = "yes_no", _("Yes / no")


class PropertyDefinition(TimeStampedModel):
    """A custom field an admin adds to leads, deals, contacts or companies (not a seed table: the seed's
    `properties` holds the values; this says which keys exist, their label, type and choices)."""

    entity_type = models.CharField(_("record type"), max_length=50, choices=PropertyEntity.choices)
    key = models.SlugField(_("key"), max_length=100)
    label = models.CharField(_("label"), max_length=100)
    label_ar = models.CharField(_("Arabic label"), max_length=100, blank=True)
    field_type = models.CharField(_("type"), max_length=10, choices=PropertyType.choices, default=PropertyType.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True, help_text=_("For a choice field: the options."))
    is_filterable = models.BooleanField(_("filter lists by it"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["entity_type", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["entity_type", "key"], name="core_propertydef_unique_key",
                                    violation_error_message=_("This record type already has a field with that key.")),
        ]

    def __str__(self):
        return self.label

    def display_label(self, language: str) -> str:
        return self.label_ar if language == "ar" and self.label_ar else self.label
