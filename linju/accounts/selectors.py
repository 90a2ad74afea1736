"""Reads of the accounts app that other apps use."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from linju.accounts.models import Consent


def name_publication_allowed(user: Any) -> bool:
    """May ``user``'s name be shown publicly (voter and donor lists, notices)? Only while they
    have an active consent to it; otherwise pages show their flat number only."""
    if user is None or getattr(user, "pk", None) is None:
        return False
    return Consent.objects.active().filter(user=user, kind=Consent.Kind.PUBLISH_NAME).exists()


def consents_of(*, user: Any) -> QuerySet[Consent]:
    """Every consent ``user`` gave, newest first, withdrawn ones included."""
    return Consent.objects.filter(user=user).order_by("-given_at", "-id")
