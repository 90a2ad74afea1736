"""Reads for the disclosure board. Each list comes from a fixed number of queries, however
many notices, files or readers there are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from linju.community.models import Building, Estate, Occupancy, Person
from linju.core import permissions
from linju.notices.models import Notice, NoticeAttachment, NoticeRead

# Pinned first (the latest pinned on top), then the newest.
BOARD_ORDER = ("-pinned", "-pinned_at", "-published_at", "-id")


def _annotated(queryset: QuerySet[Notice]) -> QuerySet[Notice]:
    return (
        queryset.select_related("estate", "building")
        .annotate(
            read_count=Count("reads", distinct=True),
            attachment_count=Count("attachments", distinct=True),
        )
        .order_by(*BOARD_ORDER)
    )


def _placed(
    queryset: QuerySet[Notice], *, building: Building | None, category: str
) -> QuerySet[Notice]:
    """A building's board shows the building's notices and the whole estate's."""
    if building is not None:
        queryset = queryset.filter(Q(building=building) | Q(building__isnull=True))
    if category:
        queryset = queryset.filter(category=category)
    return queryset


def notice_board(
    *, actor: Any, estate: Estate, building: Building | None = None, category: str = ""
) -> QuerySet[Notice]:
    """The notices on the board today: published and withdrawn ones whose period has not
    ended, pinned first (the latest pinned on top), then the newest."""
    today = timezone.localdate()
    notices = permissions.visible(
        actor,
        Notice.objects.filter(estate=estate, shown_until__gte=today).exclude(
            status=Notice.Status.DRAFT
        ),
    )
    return _annotated(_placed(notices, building=building, category=category))


def notice_archive(
    *, actor: Any, estate: Estate, building: Building | None = None, category: str = ""
) -> QuerySet[Notice]:
    """Notices whose period has ended (withdrawn ones too), newest first."""
    today = timezone.localdate()
    notices = permissions.visible(
        actor,
        Notice.objects.filter(estate=estate, shown_until__lt=today).exclude(
            status=Notice.Status.DRAFT
        ),
    )
    return _annotated(_placed(notices, building=building, category=category)).order_by(
        "-published_at", "-id"
    )


def notice_get(*, actor: Any, estate: Estate, notice_id: int) -> Notice:
    """One notice of the estate; missing, foreign and hidden ones (drafts) give the same 404."""
    return permissions.get_visible_or_404(  # type: ignore[return-value]
        actor, _annotated(Notice.objects.filter(estate=estate)), pk=notice_id
    )


def notice_console_list(*, actor: Any, estate: Estate) -> list[Notice]:
    """The estate's notices the actor may manage, drafts included (a group leader: those of
    the building they lead), newest first."""
    notices = _annotated(Notice.objects.filter(estate=estate)).order_by("-created_at", "-id")
    return [n for n in notices if permissions.can(actor, "manage", n)]


def attachments(*, notice: Notice) -> list[NoticeAttachment]:
    return list(NoticeAttachment.objects.filter(notice=notice).order_by("added_at", "id"))


def attachment_get(*, notice: Notice, attachment_id: int) -> NoticeAttachment:
    try:
        return NoticeAttachment.objects.get(notice=notice, pk=attachment_id)
    except (NoticeAttachment.DoesNotExist, ValueError, OverflowError) as exc:  # ids too big: 404
        raise Http404 from exc


def building_for_board(*, estate: Estate, number: str) -> Building | None:
    """The building of ``?building=`` (by its number); None for the whole estate; 404 for a
    building the estate does not have."""
    if not number:
        return None
    building = Building.objects.filter(estate=estate, number=number).first()
    if building is None:
        raise Http404
    return building


@dataclass(frozen=True)
class Reader:
    """Who opened a notice, as those who posted it see them: a name and flats, no phone."""

    name: str
    flats: list[str]
    read_at: Any


def notice_readers(*, notice: Notice) -> list[Reader]:
    """Everyone who has opened the notice, first readers first: their name in the estate's
    roster (else their account's display name) and their current flats. Three queries."""
    reads = list(
        NoticeRead.objects.filter(notice=notice).select_related("user").order_by("read_at", "id")
    )
    user_ids = [r.user_id for r in reads]
    people = {
        p.user_id: p
        for p in Person.objects.filter(estate_id=notice.estate_id, user_id__in=user_ids)
    }
    flats: dict[int, list[str]] = {}
    for occupancy in (
        Occupancy.objects.current()
        .filter(person__in=people.values())
        .select_related("flat__building", "flat__entrance", "person")
        .order_by("flat__building__sort_key", "flat__number")
    ):
        flats.setdefault(occupancy.person.user_id, []).append(occupancy.flat.label)
    readers = []
    for read in reads:
        person = people.get(read.user_id)
        name = person.full_name if person is not None else str(read.user)
        readers.append(Reader(name=name, flats=flats.get(read.user_id, []), read_at=read.read_at))
    return readers


def read_count(*, notice: Notice) -> int:
    return NoticeRead.objects.filter(notice=notice).count()


def has_read(*, actor: Any, notice: Notice) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and NoticeRead.objects.filter(notice=notice, user=actor).exists()
    )
