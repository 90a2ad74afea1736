"""Rows of the permission matrix (tests/core/test_permissions.py) for participatory budgeting:
the rules on votes of the world's street (``here``'s) and of the other street (``there``'s),
and every page and API URL of the app. The foundation officer is the officer of ``here``'s
street; the resident lives in ``here``; nobody of the world lives in ``there``."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from linju.budgeting import services
from linju.budgeting.models import BudgetVote, PBBallot
from linju.foundation.models import ApplicationPhoto, Programme
from linju.notices.models import BoardSettings
from tests.budgeting.factories import closed, open_vote, programme_for, shortlist

PB_FILE = (
    "META\nkey;value\nbudget;100\nvote_type;approval\n"
    "PROJECTS\nproject_id;cost;name\n1;60;甲\n2;60;乙\n"
    "VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
)


def _probe(street: Any, status: str) -> BudgetVote:
    return BudgetVote(programme=Programme(street=street), status=status)


def _published_public(w: Any) -> BudgetVote:
    BoardSettings.objects.update_or_create(estate=w.here, defaults={"public": True})
    return _probe(w.here.street, "published")


OBJECTS: dict[str, Callable[[Any], Any]] = {
    "pb_vote_open": lambda w: _probe(w.here.street, "open"),
    "pb_vote_draft": lambda w: _probe(w.here.street, "draft"),
    "pb_vote_published": lambda w: _probe(w.here.street, "published"),
    "pb_vote_published_public": _published_public,
    "pb_vote_there": lambda w: _probe(w.there.street, "open"),
    "pb_nothing": lambda w: None,
}


def rule_rows(roles: dict[str, frozenset[str]]) -> list[tuple[str, str, str, frozenset[str]]]:
    everyone, members = roles["everyone"], roles["members"]
    officers = frozenset({"foundation", "admin"})
    return [
        ("budget_vote", "view", "pb_vote_open", members | officers),
        ("budget_vote", "view", "pb_vote_draft", officers),
        ("budget_vote", "view", "pb_vote_there", frozenset({"staff_other_estate", "admin"})),
        ("budget_vote", "manage", "pb_vote_open", officers),
        ("budget_vote", "manage", "pb_vote_there", frozenset({"admin"})),
        ("budget_vote", "cast", "pb_vote_open", frozenset({"resident"})),
        ("budget_vote", "cast", "pb_vote_there", frozenset()),
        ("budget_vote", "enter_paper", "pb_vote_open", frozenset({"staff", "admin"})),
        (
            "budget_vote",
            "enter_paper",
            "pb_vote_there",
            frozenset({"staff_other_estate", "admin"}),
        ),
        ("budget_vote", "view_results", "pb_vote_open", officers),
        ("budget_vote", "view_results", "pb_vote_published", members | officers),
        ("budget_vote", "view_results", "pb_vote_published_public", everyone),
        ("budget_vote", "view_results", "pb_vote_there", frozenset({"admin"})),
        ("pb_file", "compute", "pb_nothing", officers),
    ]


# --- URLs ------------------------------------------------------------------------------------


def _vote(w: Any) -> BudgetVote:
    existing = BudgetVote.objects.filter(programme__street=w.here.street).first()
    if existing is not None:
        return existing
    programme = programme_for(w)
    shortlist(w, programme, {"甲": "60000", "乙": "50000"})
    return open_vote(w, programme)


def _counted(w: Any) -> BudgetVote:
    vote = _vote(w)
    services.ballot_cast(
        actor=w.users["resident"], vote=vote, applications=[vote.eligible.first().pk]
    )
    closed(w, vote)
    services.outcome_compute(actor=w.users["foundation"], vote=vote)
    vote.refresh_from_db()
    return vote


def _published(w: Any) -> BudgetVote:
    vote = _counted(w)
    services.outcome_publish(actor=w.users["foundation"], vote=vote)
    return vote


def _args(make: Callable[[Any], BudgetVote]) -> Callable[[Any], list[Any]]:
    return lambda w: [w.here.street.slug, make(w).pk]


def _receipt(w: Any) -> list[Any]:
    vote = _vote(w)
    ballot = services.ballot_cast(
        actor=w.users["resident"], vote=vote, applications=[vote.eligible.first().pk]
    )
    return [w.here.street.slug, vote.pk, ballot.receipt]


def _photo(w: Any) -> list[Any]:
    from tests.projects.factories import photo_png

    vote = _vote(w)
    photo = ApplicationPhoto(application=vote.eligible.first())
    photo.image.save("p.png", ContentFile(photo_png().read()), save=True)
    return [w.here.street.slug, vote.pk, photo.pk, "web"]


def _ready_programme(w: Any) -> list[Any]:
    programme = programme_for(w)
    shortlist(w, programme, {"甲": "60000"})
    return [w.here.street.slug, programme.pk]


def _closes_passed(w: Any) -> BudgetVote:
    vote = _vote(w)
    BudgetVote.objects.filter(pk=vote.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=3),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    return vote


def _closed(w: Any) -> BudgetVote:
    vote = _vote(w)
    closed(w, vote)
    return vote


def url_rows(expect: Callable[..., dict[str, Any]], roles: dict[str, frozenset[str]]):
    everyone, members = roles["everyone"], roles["members"]
    officers = frozenset({"foundation", "admin"})
    viewers = members | officers

    def acting(allowed: frozenset[str], seen_by: frozenset[str] = viewers) -> dict[str, Any]:
        """Allowed: 302; others who see the vote are refused (403); everyone else 404."""
        table = expect(302, allowed)
        for role in seen_by - allowed:
            table[role] = 403
        return table

    def status_of(w: Any) -> Any:
        vote = BudgetVote.objects.filter(programme__street=w.here.street).first()
        return vote.status if vote else None

    count = lambda model: lambda w: model.objects.count()  # noqa: E731
    # The API takes bearer tokens only: a signed-in browser session is not enough.
    api_read = expect(401, everyone, anonymous=401)

    return {
        "pb_list": {
            "args": lambda w: [_vote(w).programme.street.slug],
            "GET": expect(200, viewers),
        },
        "pb_compute": {
            "args": lambda w: [w.here.street.slug],
            "GET": expect(200, officers),
            "POST": {
                "data": lambda w: {
                    "file": ContentFile(PB_FILE.encode(), name="e.pb"),
                    "rule": "mes",
                },
                "expect": expect(200, officers),
                "writes": frozenset(),
            },
        },
        "pb_vote_open": {
            "args": _ready_programme,
            "GET": expect(200, officers),
            "POST": {
                "data": lambda w: {
                    "closes_at": (timezone.localtime() + datetime.timedelta(days=7)).strftime(
                        "%Y-%m-%dT%H:%M"
                    )
                },
                "expect": expect(302, officers),
                "state": count(BudgetVote),
                "writes": officers,
            },
        },
        "pb_vote": {
            "args": _args(_vote),
            "GET": expect(200, viewers),
            "POST": {
                "data": lambda w: {"applications": [_vote(w).eligible.first().pk]},
                "expect": acting(frozenset({"resident"})),
                "state": count(PBBallot),
                "writes": frozenset({"resident"}),
            },
        },
        "pb_receipt": {"args": _receipt, "GET": expect(200, frozenset({"resident"}))},
        "pb_results": {
            "args": _args(_published),
            "GET": expect(200, viewers, anonymous=404),
        },
        "pb_photo": {"args": _photo, "GET": expect(200, viewers, anonymous=404)},
        "pb_console": {"args": _args(_vote), "GET": expect(200, officers)},
        "pb_close": {
            "args": _args(_closes_passed),
            "POST": {"expect": acting(officers), "state": status_of, "writes": officers},
        },
        "pb_count": {
            "args": _args(_closed),
            "POST": {"expect": acting(officers), "state": status_of, "writes": officers},
        },
        "pb_publish": {
            "args": _args(_counted),
            "POST": {"expect": acting(officers), "state": status_of, "writes": officers},
        },
        "pb_export": {"args": _args(_closed), "GET": expect(200, officers)},
        "pb_paper": {
            "args": _args(_vote),
            "GET": expect(200, frozenset({"staff", "admin"})),
            "POST": {
                "data": lambda w: {
                    "person": w.person2.pk,
                    "applications": [_vote(w).eligible.first().pk],
                },
                "expect": expect(302, frozenset({"staff", "admin"})),
                "state": count(PBBallot),
                "writes": frozenset({"staff", "admin"}),
            },
        },
        "api:budgeting_vote": {"args": lambda w: [_vote(w).pk], "GET": api_read},
        "api:budgeting_cast": {
            "args": lambda w: [_vote(w).pk],
            "POST": {
                "data": lambda w: {},
                "expect": expect(401, everyone, anonymous=401),
                "state": count(PBBallot),
            },
        },
        "api:budgeting_results": {"args": lambda w: [_published(w).pk], "GET": api_read},
    }
