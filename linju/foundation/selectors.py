"""Reads for the foundation's programmes and applications. Lists go through
``permissions.visible`` so they cannot show what the viewer may not see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from linju.community.models import Street
from linju.core import permissions
from linju.foundation.models import (
    Application,
    ApplicationEvent,
    Criterion,
    DocumentRequest,
    Programme,
)

BOARD_PROGRAMMES = 10
MAX_ID = 2**63 - 1


def street_get(*, slug: str) -> Street:
    street = Street.objects.filter(slug=slug).first()
    if street is None:
        raise Http404
    return street


def programmes_on_board(*, street_id: int) -> list[Programme]:
    """The street's programmes shown on every estate's board: published ones (any stage after
    draft), newest first, with their criteria. Two queries."""
    return list(
        Programme.objects.filter(street_id=street_id)
        .exclude(status=Programme.Status.DRAFT)
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("position")))
        .order_by("-call_opens", "-pk")[:BOARD_PROGRAMMES]
    )


def programme_list(*, actor: Any, street: Street) -> QuerySet[Programme]:
    """The street's programmes the actor may see, with how many applications reached the
    foundation."""
    return (
        permissions.visible(actor, Programme.objects.filter(street=street))
        .annotate(
            received_count=Count(
                "applications",
                filter=Q(applications__status__in=permissions.FOUNDATION_SEES),
                distinct=True,
            )
        )
        .order_by("-call_opens", "-pk")
    )


def programme_get(*, actor: Any, street: Street, programme_id: int) -> Programme:
    """The programme if the actor may see it; else the same 404 as for a missing one."""
    if not 0 < programme_id <= MAX_ID:
        raise Http404
    return permissions.get_visible_or_404(  # type: ignore[return-value]
        actor,
        Programme.objects.filter(street=street).select_related("street"),
        pk=programme_id,
    )


def open_programmes_for(*, project: Any) -> list[Programme]:
    """Programmes of the project's street taking applications now (published, call not
    closed), newest first."""
    from django.utils import timezone

    return list(
        Programme.objects.filter(
            street_id=project.estate.street_id,
            status=Programme.Status.PUBLISHED,
            call_closes__gte=timezone.localdate(),
        ).order_by("call_closes", "pk")
    )


def application_list(*, actor: Any, programme: Programme) -> QuerySet[Application]:
    return (
        permissions.visible(actor, Application.objects.filter(programme=programme))
        .select_related("estate", "building", "project")
        .order_by("estate__name", "building__sort_key", "pk")
    )


def applications_of_project(*, actor: Any, project: Any) -> list[Application]:
    return list(
        permissions.visible(actor, Application.objects.filter(project=project))
        .select_related("programme__street")
        .order_by("-created_at", "-pk")
    )


def applications_to_endorse(*, actor: Any, estate: Any) -> QuerySet[Application]:
    return permissions.visible(
        actor,
        Application.objects.filter(estate=estate, status=Application.Status.SUBMITTED),
    ).select_related("programme", "building")


def application_get(*, actor: Any, street: Street, application_id: int) -> Application:
    """The application if the actor may see it; else the same 404 as for a missing one."""
    if not 0 < application_id <= MAX_ID:
        raise Http404
    return permissions.get_visible_or_404(  # type: ignore[return-value]
        actor,
        Application.objects.filter(programme__street=street).select_related(
            "programme__street",
            "project",
            "estate",
            "building",
            "support_decision",
            "support_consultation",
        ),
        pk=application_id,
    )


def application_timeline(*, application: Application) -> list[ApplicationEvent]:
    return list(
        ApplicationEvent.objects.filter(application=application)
        .select_related("actor")
        .order_by("occurred_at", "pk")
    )


def document_requests(*, application: Application) -> list[DocumentRequest]:
    return list(
        DocumentRequest.objects.filter(application=application)
        .prefetch_related("documents")
        .order_by("requested_at", "pk")
    )


def open_requests(*, application: Application) -> QuerySet[DocumentRequest]:
    return DocumentRequest.objects.filter(application=application, answered_at__isnull=True)
