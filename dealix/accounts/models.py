"""People who log in. The table exists in every tenant's schema (that tenant's staff and affiliates) and
in the public schema (platform operators), so a user of one tenant does not exist on another."""
import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from dealix.accounts.choices import Language, Role
from dealix.core.phones import validate_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("role", Role.OWNER)
        fields.update(is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email"), max_length=255, unique=True)
    full_name = models.CharField(_("full name"), max_length=255)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone],
                             help_text=_("Saudi mobile numbers may be typed as 05XXXXXXXX."))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ARABIC)
    sector = models.CharField(_("sector specialisation"), max_length=100, blank=True,
                              help_text=_("Leads of this sector are assigned to this agent first."))
    is_active = models.BooleanField(_("active"), default=True)
    # {notification type: [channels]}; a type not listed uses its default (dealix.core.notifications).
    notification_channels = models.JSONField(_("notification channels"), default=dict, blank=True)
    last_login_at = models.DateTimeField(_("last login at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["role", "is_active"], name="accounts_user_role_active_idx")]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        from dealix.core.phones import normalise_phone
        self.email = (self.email or "").strip().lower()
        if self.phone:
            self.phone = normalise_phone(self.phone) or self.phone

    @property
    def is_staff(self) -> bool:
        """Django admin is for owners, admins and platform operators."""
        from dealix.accounts import roles
        return self.is_active and (self.is_superuser or roles.can(self, roles.ADMIN_SITE))

    def has_perm(self, perm, obj=None):
        from dealix.accounts import roles
        if self.is_active and roles.can(self, roles.ADMIN_SITE):
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        from dealix.accounts import roles
        if self.is_active and roles.can(self, roles.ADMIN_SITE):
            return True
        return super().has_module_perms(app_label)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email
