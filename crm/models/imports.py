"""A lead import in progress: the uploaded file, how its columns map to lead fields, what the preview
found, and what the commit did. Not a seed table: it is the import wizard's memory between steps."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dealix.core.models import TimeStampedModel

__all__ = ["LeadImport"]


class DuplicateMode(models.TextChoices):
    SKIP = "skip", _("Skip rows that match an existing lead")
    MERGE = "merge", _("Fill in the existing lead's empty fields")
    CREATE = "create", _("Create a new lead anyway")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWED = "previewed", _("Previewed")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")


def import_upload_path(instance, filename):
    from django.db import connection
    return f"{connection.schema_name}/imports/{instance.pk}.{instance.file_format}"


class LeadImport(TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="lead_imports")
    file = models.FileField(_("file"), upload_to=import_upload_path)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10)  # csv | xlsx
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    headers = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)  # lead field -> column index
    duplicate_mode = models.CharField(_("duplicates"), max_length=10, choices=DuplicateMode.choices,
                                      default=DuplicateMode.SKIP)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices,
                              default=ImportStatus.UPLOADED)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name
