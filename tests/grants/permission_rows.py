"""Rows of the permission matrix (tests/core/test_permissions.py) for grant review, decisions,
payments and reports: the rules on a programme of ``here``'s street (and of ``there``'s), and
every page and API URL of the app. The outsider (no estate) reviews the programme; building
2's application was awarded a grant; building 1's is waiting for a decision."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from linju.foundation.models import Application, Programme
from linju.funding.models import Fund
from linju.grants import services
from linju.grants.models import (
    ConflictDeclaration,
    Disbursement,
    Grant,
    ReportDue,
    ReviewerAssignment,
    Score,
)
from linju.meetings.models import Meeting
from tests import factories as f
from tests.grants import factories as gf
from tests.notices.factories import png

OFFICERS = frozenset({"foundation", "admin"})
OUTSIDER = frozenset({"outsider"})


class State:
    def __init__(self, w: Any) -> None:
        self.programme = gf.programme(w.here.street)
        self.criteria = gf.criteria(self.programme)
        self.app1 = gf.application(self.programme, w.here, w.b1)
        self.app2 = gf.application(self.programme, w.here, w.b2, requested="20000")
        self.app3 = gf.application(
            self.programme, w.here, w.b2, requested="500", title="二号楼花园"
        )
        officer = w.users["foundation"]
        self.assignment = services.reviewer_assign(
            actor=officer, programme=self.programme, reviewer=w.users["outsider"]
        )
        self.grant = services.grant_award(
            actor=officer, application=self.app2, amount="20000", conditions="居民监督"
        )
        self.report = self.grant.reports.get()
        done = services.grant_award(
            actor=officer,
            application=self.app3,
            amount="500",
            conditions="",
            starts_on=datetime.date(2024, 1, 1),
            ends_on=datetime.date(2024, 3, 1),
        )
        self.photo = services.report_submit(
            actor=w.users["leader_other_building"],
            report=done.reports.get(),
            text="已完工",
            photos=[png()],
        ).photos.get()
        self.done = done
        self.spare = f.UserFactory(username="reviewer2")


def state(w: Any) -> State:
    if not hasattr(w, "_grants_state"):
        w._grants_state = State(w)
    return w._grants_state


def _programme(w: Any, street: Any) -> Programme:
    return Programme(street=street, status="reviewing")


def _grant(w: Any, estate: Any, building: Any) -> Grant:
    programme = _programme(w, estate.street)
    application = Application(estate=estate, building=building, programme=programme)
    return Grant(application=application, programme=programme, estate=estate, status="awarded")


OBJECTS: dict[str, Any] = {
    "programme_here_street": lambda w: _programme(w, w.here.street),
    "programme_there_street": lambda w: _programme(w, w.there.street),
    "assignment_of_outsider": lambda w: ReviewerAssignment(reviewer=w.users["outsider"]),
    "grant_b1": lambda w: _grant(w, w.here, w.b1),
    "grant_there": lambda w: _grant(w, w.there, w.b_there),
    "report_b1": lambda w: ReportDue(grant=_grant(w, w.here, w.b1), estate=w.here),
    "report_b2": lambda w: ReportDue(grant=_grant(w, w.here, w.b2), estate=w.here),
    "report_there": lambda w: ReportDue(grant=_grant(w, w.there, w.b_there), estate=w.there),
    "grants_fund_b1": lambda w: Fund(estate=w.here, building=w.b1),
    "grants_fund_there": lambda w: Fund(estate=w.there),
}


def rule_rows(roles: dict[str, frozenset[str]]) -> list[tuple[str, str, str, frozenset[str]]]:
    members, managers, there = roles["members"], roles["managers"], roles["managers_there"]
    return [
        ("grants", "manage", "programme_here_street", OFFICERS),
        ("grants", "manage", "programme_there_street", frozenset({"admin"})),
        ("reviewer_assignment", "review", "assignment_of_outsider", OUTSIDER),
        ("grant", "view", "grant_b1", members | OFFICERS),
        ("grant", "view", "grant_there", there),
        ("grant_report", "submit", "report_b1", managers | {"leader"}),
        ("grant_report", "submit", "report_b2", managers | {"leader_other_building"}),
        ("grant_report", "submit", "report_there", there),
        ("fund", "receive_grant", "grants_fund_b1", OFFICERS),
        ("fund", "receive_grant", "grants_fund_there", frozenset({"admin"})),
    ]


def _street(w: Any) -> str:
    return w.here.street.slug


def _in_a_week() -> str:
    return (timezone.localtime() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT19:00")


def url_rows(expect: Any, roles: dict[str, frozenset[str]]) -> dict[str, dict[str, Any]]:
    members, managers, everyone = roles["members"], roles["managers"], roles["everyone"]
    signed_in = everyone - {"anonymous"}
    post_only = expect(405, signed_in)
    api_only = expect(401, everyone, anonymous=401)
    readers = members | OFFICERS
    reporters = managers | {"leader_other_building"}

    def st(w: Any) -> State:
        return state(w)

    rows: dict[str, dict[str, Any]] = {
        "grants_console": {
            "args": lambda w: [_street(w), st(w).programme.pk],
            "GET": expect(200, OFFICERS),
        },
        "grants_reviewer_assign": {
            "args": lambda w: [_street(w), st(w).programme.pk],
            "GET": post_only,
            "POST": {
                "data": lambda w: {"username": st(w).spare.username},
                "expect": expect(302, OFFICERS),
                "state": lambda w: ReviewerAssignment.objects.count(),
                "writes": OFFICERS,
            },
        },
        "grants_pitch": {
            "args": lambda w: [_street(w), st(w).programme.pk],
            "GET": expect(200, OFFICERS),
            "POST": {
                "data": lambda w: {
                    "estate": w.here.pk,
                    "starts_at": _in_a_week(),
                    "place": "活动室",
                },
                "expect": expect(302, OFFICERS),
                "state": lambda w: Meeting.objects.count(),
                "writes": OFFICERS,
            },
        },
        "grants_decide": {
            "args": lambda w: [_street(w), st(w).app1.pk],
            "GET": expect(200, OFFICERS),
            "POST": {
                "data": lambda w: {"decision": "award", "amount": "1000", "conditions": "监督"},
                "expect": expect(302, OFFICERS),
                "state": lambda w: Grant.objects.count(),
                "writes": OFFICERS,
            },
        },
        "grants_public": {"args": lambda w: [_street(w)], "GET": expect(200, everyone)},
        "grants_overdue": {"args": lambda w: [_street(w)], "GET": expect(200, OFFICERS)},
        "grant_detail": {
            "args": lambda w: [_street(w), st(w).grant.pk],
            "GET": expect(200, readers),
        },
        "grants_agreement_pdf": {
            "args": lambda w: [_street(w), st(w).grant.pk],
            "GET": expect(200, readers),
        },
        "grants_disburse": {
            "args": lambda w: [_street(w), st(w).grant.pk],
            "GET": post_only,
            "POST": {
                "data": lambda w: {"amount": "100"},
                "expect": {
                    **expect(302, OFFICERS),
                    **{role: 403 for role in members - OFFICERS},
                },
                "state": lambda w: Disbursement.objects.count(),
                "writes": OFFICERS,
            },
        },
        "grants_report_submit": {
            "args": lambda w: [_street(w), st(w).grant.pk, st(w).report.pk],
            "GET": {**expect(200, reporters), **{r: 403 for r in readers - reporters}},
            "POST": {
                "data": lambda w: {"text": "第一季度：大堂已拆除旧吊顶。"},
                "expect": {**expect(302, reporters), **{r: 403 for r in readers - reporters}},
                "state": lambda w: ReportDue.objects.filter(submitted_at__isnull=False).count(),
                "writes": reporters,
            },
        },
        "grants_report_photo": {
            "args": lambda w: [_street(w), st(w).done.pk, st(w).photo.pk, "thumb"],
            "GET": expect(200, readers),
        },
        "grants_my_reviews": {"args": lambda w: [_street(w)], "GET": expect(200, signed_in)},
        "grants_score": {
            "args": lambda w: [_street(w), st(w).assignment.pk, st(w).app1.pk],
            "GET": expect(200, OUTSIDER),
            "POST": {
                "data": lambda w: {
                    **{f"score_{c.pk}": "7" for c in st(w).criteria},
                    **{f"comment_{c.pk}": "好" for c in st(w).criteria},
                },
                "expect": expect(302, OUTSIDER),
                "state": lambda w: Score.objects.count(),
                "writes": OUTSIDER,
            },
        },
        "grants_conflict": {
            "args": lambda w: [_street(w), st(w).assignment.pk],
            "GET": expect(200, OUTSIDER),
            "POST": {
                "data": lambda w: {"estate": w.here.pk, "note": "亲属"},
                "expect": expect(302, OUTSIDER),
                "state": lambda w: ConflictDeclaration.objects.count(),
                "writes": OUTSIDER,
            },
        },
    }
    api_args = {
        "grants_reviews": lambda w: [_street(w)],
        "grants_score_submit": lambda w: [_street(w), st(w).assignment.pk, st(w).app1.pk],
        "grants_conflict_declare": lambda w: [_street(w), st(w).assignment.pk],
        "grants_scores_table": lambda w: [_street(w), st(w).programme.pk],
        "grants_award": lambda w: [_street(w), st(w).app1.pk],
        "grants_decline": lambda w: [_street(w), st(w).app1.pk],
        "grants_grant_detail": lambda w: [_street(w), st(w).grant.pk],
        "grants_disburse": lambda w: [_street(w), st(w).grant.pk],
        "grants_report_submit": lambda w: [_street(w), st(w).grant.pk, st(w).report.pk],
    }
    gets = {"grants_reviews", "grants_scores_table", "grants_grant_detail"}
    for name, args in api_args.items():
        if name in gets:
            rows[f"api:{name}"] = {"args": args, "GET": api_only}
        else:
            rows[f"api:{name}"] = {
                "args": args,
                "POST": {
                    "data": lambda w: {},
                    "expect": api_only,
                    "state": lambda w: (Grant.objects.count(), Score.objects.count()),
                },
            }
    return rows
