"""Everything the platform holds on one account, for "My data" (PIPL Art. 45).

``MY_DATA`` is a table of sections: each has a key (the JSON key), a title (the .xlsx sheet),
its columns and a function that yields the rows. Only the person's own data is listed: where a
row involves someone else (an audit event of theirs about another person, an authorisation), it
says what was done, never who the other person is. Sections of optional apps appear only when
the app is installed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from linju.accounts.models import Consent
from linju.community.models import Occupancy, Person, Role
from linju.core.models import AuditEvent, SecurityEvent
from linju.core.phones import national

Row = dict[str, Any]


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    columns: list[tuple[str, str | Promise]]
    rows: Callable[[Any], Iterable[Row]]


def _plain(value: Any) -> Any:
    """A value JSON and a spreadsheet both take: text, numbers, booleans, ISO dates, None."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _phone(value: str | None) -> str:
    return national(value) if value else ""


def _account(user: Any) -> Iterable[Row]:
    yield {
        "username": user.username,
        "display_name": user.display_name,
        "phone": _phone(user.phone),
        "large_text": user.large_text,
        "language": user.language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _people(user: Any) -> Iterable[Row]:
    for person in Person.objects.filter(user=user).select_related("estate").order_by("pk"):
        yield {
            "estate": person.estate.name,
            "full_name": person.full_name,
            "phone": _phone(person.phone),
            "note": person.note,
        }


def _occupancies(user: Any) -> Iterable[Row]:
    rows = (
        Occupancy.objects.filter(person__user=user)
        .select_related("flat__building__estate", "flat__entrance")
        .order_by("pk")
    )
    for occ in rows:
        yield {
            "estate": occ.flat.building.estate.name,
            "flat": occ.flat.label,
            "area": occ.flat.area,
            "relation": occ.get_relation_display(),
            "starts_on": occ.starts_on,
            "ends_on": occ.ends_on,
        }


def _roles(user: Any) -> Iterable[Row]:
    for role in Role.objects.filter(user=user).select_related("estate", "building", "street"):
        place = role.building or role.estate or role.street
        yield {
            "role": role.get_kind_display(),
            "place": str(place) if place else "",
            "starts_on": role.starts_on,
            "ends_on": role.ends_on,
        }


def _consents(user: Any) -> Iterable[Row]:
    for consent in Consent.objects.filter(user=user).order_by("given_at", "pk"):
        yield {
            "kind": consent.get_kind_display(),
            "version": consent.version,
            "given_at": consent.given_at,
            "withdrawn_at": consent.withdrawn_at,
        }


def _security_events(user: Any) -> Iterable[Row]:
    for event in SecurityEvent.objects.filter(user=user).order_by("occurred_at", "pk"):
        yield {
            "time": event.occurred_at,
            "event": event.event,
            "ip": event.ip,
            "detail": event.detail,
        }


def _audit_events(user: Any) -> Iterable[Row]:
    # What they did, not to whom: a target's label may name another resident.
    for event in AuditEvent.objects.filter(actor=user).order_by("occurred_at", "pk"):
        yield {
            "time": event.occurred_at,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
        }


def _join_requests(user: Any) -> Iterable[Row]:
    model = apps.get_model("membership", "JoinRequest")
    for req in model.objects.filter(user=user).select_related("flat__building", "flat__entrance"):
        yield {
            "flat": req.flat.label,
            "relation": req.get_relation_display(),
            "full_name": req.full_name,
            "status": req.get_status_display(),
            "created_at": req.created_at,
            "decided_at": req.decided_at,
            "reason": req.reason,
        }


def _delegations(user: Any) -> Iterable[Row]:
    model = apps.get_model("membership", "Delegation")
    rows = model.objects.filter(Q(principal__user=user) | Q(agent=user)).order_by("pk")
    for delegation in rows:
        given = delegation.agent_id != user.pk
        yield {
            "direction": _("I authorised someone") if given else _("Someone authorised me"),
            "scope": list(delegation.scope),
            "starts_on": delegation.starts_on,
            "ends_on": delegation.ends_on,
            "revoked_at": delegation.revoked_at,
        }


def _notifications(user: Any) -> Iterable[Row]:
    model = apps.get_model("notifications", "Notification")
    for note in model.objects.filter(recipient=user).order_by("created_at", "pk"):
        yield {
            "time": note.created_at,
            "title": note.title,
            "body": note.body,
            "read_at": note.read_at,
        }


def _notification_preferences(user: Any) -> Iterable[Row]:
    model = apps.get_model("notifications", "NotificationPreference")
    for pref in model.objects.filter(user=user):
        yield {
            "sms_groups": list(pref.sms_groups),
            "wechat_groups": list(pref.wechat_groups),
            "quiet_hours": pref.quiet_hours,
            "quiet_start": pref.quiet_start,
            "quiet_end": pref.quiet_end,
            "digest": pref.digest,
        }


def _wechat(user: Any) -> Iterable[Row]:
    model = apps.get_model("wechat", "WeChatIdentity")
    for identity in model.objects.filter(user=user):
        yield {"appid": identity.appid, "openid": identity.openid, "linked": identity.created}


def _api_tokens(user: Any) -> Iterable[Row]:
    model = apps.get_model("api", "ApiToken")
    for token in model.objects.filter(user=user).order_by("pk"):
        yield {
            "label": token.label,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "expires_at": token.expires_at,
            "revoked_at": token.revoked_at,
        }


TIME = ("time", _("Time"))

MY_DATA: list[Section] = [
    Section(
        "account",
        _("Account"),
        [
            ("username", _("Sign-in name")),
            ("display_name", _("Name")),
            ("phone", _("Phone")),
            ("large_text", _("Large text")),
            ("language", _("Language")),
            ("date_joined", _("Signed up")),
            ("last_login", _("Last signed in")),
        ],
        _account,
    ),
    Section(
        "people",
        _("On the estate's roster"),
        [
            ("estate", _("Estate")),
            ("full_name", _("Name")),
            ("phone", _("Phone")),
            ("note", _("Note")),
        ],
        _people,
    ),
    Section(
        "occupancies",
        _("Flats"),
        [
            ("estate", _("Estate")),
            ("flat", _("Flat")),
            ("area", _("Exclusive area (m²)")),
            ("relation", _("Relation")),
            ("starts_on", _("From")),
            ("ends_on", _("Until")),
        ],
        _occupancies,
    ),
    Section(
        "roles",
        _("Roles"),
        [
            ("role", _("Role")),
            ("place", _("Where")),
            ("starts_on", _("From")),
            ("ends_on", _("Until")),
        ],
        _roles,
    ),
    Section(
        "consents",
        _("Consents"),
        [
            ("kind", _("Consent")),
            ("version", _("Notice version")),
            ("given_at", _("Given")),
            ("withdrawn_at", _("Withdrawn")),
        ],
        _consents,
    ),
    Section(
        "security_events",
        _("Sign-ins and security"),
        [TIME, ("event", _("Event")), ("ip", _("Network address")), ("detail", _("Detail"))],
        _security_events,
    ),
    Section(
        "audit_events",
        _("Changes I made"),
        [
            TIME,
            ("action", _("Action")),
            ("target_type", _("Kind of record")),
            ("target_id", _("Record number")),
        ],
        _audit_events,
    ),
]

if apps.is_installed("linju.membership"):
    MY_DATA += [
        Section(
            "join_requests",
            _("Requests to join a flat"),
            [
                ("flat", _("Flat")),
                ("relation", _("Relation")),
                ("full_name", _("Name")),
                ("status", _("Status")),
                ("created_at", _("Asked")),
                ("decided_at", _("Decided")),
                ("reason", _("Reason")),
            ],
            _join_requests,
        ),
        Section(
            "delegations",
            _("Authorisations"),
            [
                ("direction", _("Who authorised whom")),
                ("scope", _("May")),
                ("starts_on", _("From")),
                ("ends_on", _("Until")),
                ("revoked_at", _("Revoked")),
            ],
            _delegations,
        ),
    ]
if apps.is_installed("linju.notifications"):
    MY_DATA += [
        Section(
            "notifications",
            _("Messages"),
            [TIME, ("title", _("Title")), ("body", _("Text")), ("read_at", _("Read"))],
            _notifications,
        ),
        Section(
            "notification_preferences",
            _("Message settings"),
            [
                ("sms_groups", _("Text messages for")),
                ("wechat_groups", _("WeChat messages for")),
                ("quiet_hours", _("Quiet hours")),
                ("quiet_start", _("Quiet from")),
                ("quiet_end", _("Quiet until")),
                ("digest", _("Digest")),
            ],
            _notification_preferences,
        ),
    ]
if apps.is_installed("linju.wechat"):
    MY_DATA.append(
        Section(
            "wechat",
            _("WeChat"),
            [
                ("appid", _("Mini-program")),
                ("openid", _("WeChat user id")),
                ("linked", _("Linked")),
            ],
            _wechat,
        )
    )
if apps.is_installed("linju.api"):
    MY_DATA.append(
        Section(
            "api_tokens",
            _("App sign-ins"),
            [
                ("label", _("Signed in with")),
                ("created_at", _("Created")),
                ("last_used_at", _("Last used")),
                ("expires_at", _("Expires")),
                ("revoked_at", _("Revoked")),
            ],
            _api_tokens,
        )
    )


def my_data_collect(*, user: Any) -> dict[str, list[Row]]:
    """``{section: [row, ...]}`` of everything held on ``user``, values plain (JSON-safe)."""
    return {
        section.key: [
            {key: _plain(value) for key, value in row.items()} for row in section.rows(user)
        ]
        for section in MY_DATA
    }
