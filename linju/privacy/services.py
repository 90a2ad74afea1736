"""A resident's own data: downloading it, and deleting the account (PIPL Arts. 45 and 47).

Deleting an account de-identifies rather than erases: the estate's decisions and books must stay
complete, so ballots, pledges and ledger rows keep pointing at the same person and account,
which no longer carry a name, a phone number or a way to sign in. Consents stay as proof of
what was agreed. The audit and security logs keep their rows with the account's new label in
place of its name.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linju.community.models import Owner, Person, Role, RosterImport
from linju.core import audit, permissions
from linju.core.models import AuditEvent, SecurityEvent
from linju.core.phones import national
from linju.privacy.export import my_data_json, my_data_xlsx
from linju.privacy.selectors import my_data_collect

FORMATS = {
    "json": ("application/json; charset=utf-8", "json"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
MIN_NAME_TO_SCRUB = 2  # a one-character "name" would blot out unrelated text


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    filename: str


def my_data_export(*, actor: Any, fmt: str) -> Download:
    """Everything held on ``actor`` as a file; the download is a security event
    ("my_data.export"). An unknown format is a ValidationError and records nothing."""
    permissions.require(actor, "export_data", actor, model="account")
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose JSON or Excel.")})
    now = timezone.now()
    data = my_data_collect(user=actor)
    content = (
        my_data_json(data, exported_at=now.isoformat()) if fmt == "json" else my_data_xlsx(data)
    )
    audit.record_security(user=actor, event="my_data.export", detail=fmt)
    content_type, suffix = FORMATS[fmt]
    stamp = timezone.localtime(now).strftime("%Y%m%d")
    return Download(content, content_type, f"linju-my-data-{stamp}.{suffix}")


# --- Deleting an account ---------------------------------------------------------------------


def deleted_person_name() -> str:
    """What a de-identified person is called on the roster, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Former resident")


def _scrub(value: Any, needles: list[str], label: str) -> Any:
    """``value`` (text or JSON) with every needle replaced by ``label``."""
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, label)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles, label) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles, label) for k, v in value.items()}
    return value


def _mentions(value: Any, needles: list[str]) -> bool:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return any(needle in text for needle in needles)


def _scrub_rows(queryset: Any, fields: list[str], needles: list[str], label: str) -> None:
    """Replace the needles in ``fields`` of the rows that mention them (``update()``: the
    audit log refuses ``save()``, and this is the one edit it allows)."""
    for row in queryset.only("pk", *fields).iterator():
        changed = {
            name: _scrub(getattr(row, name), needles, label)
            for name in fields
            if _mentions(getattr(row, name), needles)
        }
        if changed:
            type(row).objects.filter(pk=row.pk).update(**changed)


def _optional(label: str) -> Any:
    app_label, model = label.split(".")
    if not apps.is_installed(f"linju.{app_label}"):
        return None
    return apps.get_model(app_label, model)


def _end_sessions(user: Any) -> None:
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()


@transaction.atomic
def account_delete(*, actor: Any, confirmed: bool) -> Any:
    """Delete ``actor``'s own account: the account is switched off and loses its name, phone and
    password; the people it is on the roster as lose their name and phone; its sessions, app
    tokens, messages and WeChat link go; its roles end. Everything else stays, de-identified.
    Without ``confirmed`` nothing happens (ValidationError)."""
    permissions.require(actor, "delete", actor, model="account")
    if not confirmed:
        raise ValidationError(
            {"confirm": _("Tick the box to confirm that you want to delete your account.")}
        )
    user = get_user_model().objects.select_for_update().get(pk=actor.pk)
    label = f"deleted-{secrets.token_hex(6)}"
    person_name = deleted_person_name()
    people = list(Person.objects.select_for_update().filter(user=user))
    old_username = user.username
    phones = {p for p in [user.phone, *(p.phone for p in people)] if p}
    needles = sorted(
        {
            *(n for n in [user.display_name, *(p.full_name for p in people)] if n),
            *phones,
            *(national(p) for p in phones),
        },
        key=len,
        reverse=True,  # "13800138000" inside "+8613800138000" would leave "+86…"
    )
    needles = [n for n in needles if len(n) >= MIN_NAME_TO_SCRUB]
    estate_ids = {p.estate_id for p in people}
    person_ids = [p.pk for p in people]
    today = timezone.localdate()

    Person.objects.filter(pk__in=person_ids).update(full_name=person_name, phone="", note="")
    _scrub_rows(
        Owner.objects.filter(members__in=person_ids).distinct(), ["name"], needles, person_name
    )
    Role.objects.current().filter(user=user).update(ends_on=today)
    Role.objects.filter(user=user, starts_on__gt=today).delete()

    user.username = label
    user.display_name = ""
    user.first_name = user.last_name = user.email = ""
    user.phone = None
    user.language = ""
    user.large_text = False
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()

    AuditEvent.objects.filter(Q(actor=user) | Q(actor_label=old_username)).update(actor_label=label)
    related_audit = AuditEvent.objects.filter(
        Q(estate_id__in=estate_ids)
        | Q(target_type="core.user", target_id=str(user.pk))
        | Q(actor=user)
    )
    _scrub_rows(related_audit, ["target_label", "changes"], needles, person_name)
    SecurityEvent.objects.filter(Q(user=user) | Q(username=old_username)).update(username=label)
    _scrub_rows(
        SecurityEvent.objects.filter(Q(user=user) | Q(estate_id__in=estate_ids)),
        ["detail"],
        [*needles, old_username] if len(old_username) >= MIN_NAME_TO_SCRUB else needles,
        label,
    )

    _scrub_rows(
        RosterImport.objects.filter(estate_id__in=estate_ids),
        ["report", "message"],
        needles,
        person_name,
    )
    if model := _optional("accounts.PhoneCode"):
        model.objects.filter(phone__in=phones).delete()
    if model := _optional("membership.JoinRequest"):
        model.objects.filter(user=user).update(full_name=person_name)
        # Another resident's typed name is replaced only if it is exactly this name: a
        # neighbour called 王芳芳 keeps her name when 王芳 leaves.
        model.objects.filter(estate_id__in=estate_ids, full_name__in=needles).update(
            full_name=person_name
        )
        _scrub_rows(
            model.objects.filter(estate_id__in=estate_ids), ["reason"], needles, person_name
        )
    if model := _optional("membership.Delegation"):
        _scrub_rows(
            model.objects.filter(Q(principal_id__in=person_ids) | Q(agent=user)),
            ["note"],
            needles,
            person_name,
        )
    if model := _optional("notifications.Notification"):
        model.objects.filter(recipient=user).delete()
        _scrub_rows(
            model.objects.filter(estate_id__in=estate_ids), ["title", "body"], needles, person_name
        )
    if model := _optional("notifications.NotificationPreference"):
        model.objects.filter(user=user).delete()
    if model := _optional("wechat.WeChatIdentity"):
        model.objects.filter(user=user).delete()
    if model := _optional("api.ApiToken"):
        model.objects.filter(user=user).delete()
    _axes_forget([old_username, *phones])
    _end_sessions(user)

    permissions.forget(actor)
    audit.record(actor=user, action="account.deleted", target=user)
    return user


def _axes_forget(keys: list[str]) -> None:
    """django-axes keeps the sign-in names that failed; forget this account's."""
    if not apps.is_installed("axes"):
        return
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=keys).delete()
