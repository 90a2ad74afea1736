"""One-time sign-in codes and the consents people give (PIPL).

A ``PhoneCode`` never holds its code: it holds a random nonce, and the code is derived from it
with the deployment's secret key (``linju.accounts.codes``). Rows live one day, for the rate
limits, then are deleted.

A ``Consent`` row is one consent as given: its kind, the version of the notice it was given
under, when, and when it was withdrawn. Withdrawing keeps the row (the record of what was
agreed and until when); giving again adds a new one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PhoneCode(models.Model):
    """A six-digit code asked for by a phone number, for one purpose, valid ten minutes.

    ``deliver`` is False when the number has no account and the purpose is signing in: the row
    is written and the send task runs exactly as for a real code, but nothing is sent, so the
    caller cannot tell whether the number is registered.
    """

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("sign in")
        SIGN_UP = "sign_up", _("sign up")

    phone = models.CharField(_("phone"), max_length=20)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    nonce = models.CharField(_("nonce"), max_length=64, unique=True)
    deliver = models.BooleanField(_("deliver"), default=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked for at"), db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    superseded = models.BooleanField(_("replaced by a newer code"), default=False)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone", "-created_at"]),
            models.Index(fields=["ip", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ConsentQuerySet(models.QuerySet):
    def active(self) -> "ConsentQuerySet":
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """A consent a person gave, under a version of the privacy notice."""

    class Kind(models.TextChoices):
        PRIVACY_NOTICE = "privacy_notice", _("privacy notice")
        PUBLISH_NAME = "publish_name", _("show my name publicly")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.CharField(_("notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        constraints = [
            # At most one active consent of each kind per person.
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"
