"""Idempotency keys for money-writing API calls: a client that did not hear the answer (the
network dropped, the server was killed) sends the same request again with the same
``Idempotency-Key`` header, and the write happens once.

The key is stored in the same transaction as the write it guards, so after a crash either both
are there (the retry gets the first answer again) or neither (the retry writes, once). Two
copies of one request arriving together: the second waits on the key's unique index and then
answers as the first did.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from linju.funding.models import IdempotentRequest

KEY = re.compile(r"[A-Za-z0-9._:-]{8,80}")


def clean_key(raw: str | None) -> str | None:
    """The header's key, or None without one; a malformed key is refused (8-80 characters of
    letters, digits and ``._:-``: a UUID fits)."""
    if raw is None or raw == "":
        return None
    if not KEY.fullmatch(raw):
        raise ValidationError(
            _("The Idempotency-Key header must be 8 to 80 letters, digits or ._:- characters."),
            code="idempotency_key",
        )
    return raw


def once(
    *,
    user: Any,
    estate_id: int,
    key: str | None,
    endpoint: str,
    write: Callable[[], tuple[int, dict[str, Any]]],
) -> tuple[int, dict[str, Any], bool]:
    """Run ``write`` (which returns ``(status, body)``) once per ``(user, key)``.

    Returns ``(status, body, replayed)``. Without a key, ``write`` simply runs. A key reused for
    another endpoint is refused. ``write`` must raise to refuse (nothing is then stored)."""
    if key is None:
        status, body = write()
        return status, body, False
    for _attempt in range(2):
        done = IdempotentRequest.objects.filter(user=user, key=key).first()
        if done is not None:
            if done.endpoint != endpoint:
                raise ValidationError(
                    _("This Idempotency-Key was already used for another request."),
                    code="idempotency_key",
                )
            return done.status, done.response, True
        try:
            with transaction.atomic():
                status, body = write()
                IdempotentRequest.objects.create(
                    estate_id=estate_id,
                    user=user,
                    key=key,
                    endpoint=endpoint,
                    status=status,
                    response=body,
                )
            return status, body, False
        except (IntegrityError, ValidationError):
            # The same request, sent twice at once, committed first: answer as it did. (Its
            # write may also be what refused this one, e.g. its transfer reference.)
            if not IdempotentRequest.objects.filter(user=user, key=key).exists():
                raise
    raise RuntimeError("unreachable")  # pragma: no cover
