"""Issue, check and revoke API tokens. A token is 32 random bytes (URL-safe); the database
keeps its SHA-256, so a copy of the database does not let anyone sign in."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from linju.api.models import ApiToken
from linju.core import audit

TOKEN_LIFETIME = datetime.timedelta(days=30)
# Refresh last_used_at at most this often, so reads do not each cost a write.
LAST_USED_GRANULARITY = datetime.timedelta(minutes=5)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: Any, label: str) -> str:
    """A new token for ``user``; the plain token is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, key_hash=_hash(key), label=label, expires_at=timezone.now() + TOKEN_LIFETIME
    )
    audit.record_security(user=user, event="api.token_issued", detail=label)
    return key


def api_token_user(key: str) -> Any | None:
    """The active account behind ``key``, or None."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, key: str) -> bool:
    """Sign out: the token stops working at once."""
    revoked = ApiToken.objects.filter(key_hash=_hash(key), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return bool(revoked)
