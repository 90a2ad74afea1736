"""Accounts and the audit log."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A sign-in account. A resident's place in the estate lives on ``community.Person``."""

    phone = models.CharField(
        _("phone"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Mainland mobile number, stored in international form (+86…)."),
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    large_text = models.BooleanField(_("large text"), default=False)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.display_name or self.username


class SecurityEvent(models.Model):
    """A security-relevant moment: sign-in, failure, lockout, refusal, a look at personal data,
    an export. Kept at least six months (PIPL; the retention task never purges younger rows)."""

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("account"), max_length=150, blank=True)
    event = models.CharField(_("event"), max_length=60, db_index=True)
    estate = models.ForeignKey(
        "community.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("estate"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    request_id = models.CharField(_("request id"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["estate", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.event} {self.username}"


class AuditEventQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One write, as it happened: who, what, on what, old and new values. Never edited."""

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    estate = models.ForeignKey(
        "community.Estate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("estate"),
    )
    target_type = models.CharField(_("target type"), max_length=60)
    target_id = models.CharField(_("target id"), max_length=40, blank=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=40, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["estate", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


def _photo_upload_to(instance: models.Model, filename: str) -> str:
    return f"photos/{instance._meta.app_label}/{timezone.now():%Y/%m}/{filename}"


class PhotoFields(models.Model):
    """The stored photo (cleaned by ``linju.core.images.photo_store``) and its smaller sizes,
    which a background task makes after the upload commits."""

    image = models.FileField(_("photo"), upload_to=_photo_upload_to, max_length=200)
    web = models.FileField(upload_to=_photo_upload_to, max_length=200, blank=True, editable=False)
    thumb = models.FileField(upload_to=_photo_upload_to, max_length=200, blank=True, editable=False)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True
