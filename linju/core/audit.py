"""The audit log: every write a service makes records who did what to which object.

``record()`` is called inside the service's transaction, so an audit row exists exactly when
the write does. ``changes()`` compares an object with new values: ``{field: [old, new]}``.
"""

from __future__ import annotations

import contextvars
import logging
from decimal import Decimal
from typing import Any

from django.db.models import Model

from linju.core.models import AuditEvent, SecurityEvent

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "linju_request_id", default=""
)
current_client_ip: contextvars.ContextVar[str] = contextvars.ContextVar(
    "linju_client_ip", default=""
)
security_log = logging.getLogger("linju.security")


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def changes(instance: Model, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field of ``new_values`` that differs from ``instance``."""
    diff: dict[str, list[Any]] = {}
    for name, new in new_values.items():
        old = getattr(instance, name)
        if old != new:
            diff[name] = [_plain(old), _plain(new)]
    return diff


def record(
    *,
    actor: Any,
    action: str,
    target: Model,
    estate: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. ``estate`` defaults to the target's own estate."""
    if estate is None:
        estate_id = (
            target.pk
            if target._meta.label == "community.Estate"
            else getattr(target, "estate_id", None)
        )
    else:
        estate_id = estate.pk
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.get_username() if user else "system",
        action=action,
        estate_id=estate_id,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        changes=changes or {},
        request_id=current_request_id.get(),
    )


def record_security(
    *, user: Any, event: str, detail: str = "", estate: Any = None, ip: str | None = None
) -> SecurityEvent:
    """Write a security event (sign-ins, failures, refusals, views of personal data, exports)
    to the table kept for at least six months, and to the security log."""
    known = user if user is not None and getattr(user, "is_authenticated", False) else None
    row = SecurityEvent.objects.create(
        user=known,
        username=known.get_username() if known else "",
        event=event,
        estate=estate,
        ip=ip or current_client_ip.get() or None,
        detail=detail[:200],
        request_id=current_request_id.get(),
    )
    security_log.info("%s user=%s detail=%s", event, row.username or "anonymous", row.detail)
    return row
