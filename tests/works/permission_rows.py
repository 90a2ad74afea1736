"""Rows of the permission matrix (tests/core/test_permissions.py) for design, works and
acceptance: the rules on a project of building 1 (and one of the other estate), and every page
and API URL of the app. The project is building 1's; the resident lives there (flat 1-101) and
is the acceptance's representative where one is needed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from linju.projects.models import Project
from linju.works import services
from linju.works.models import (
    AcceptanceItem,
    AcceptanceSigner,
    DesignOption,
    DesignScope,
    DesignVote,
    Evaluation,
    Milestone,
    OwnersDecisionLink,
    Quote,
    SupervisionEntry,
)
from linju.works.models import DesignPlan as DesignPlanModel
from tests.works.factories import pdf, photo


def project_b1(w: Any) -> Project:
    return Project.objects.get_or_create(estate=w.here, building=w.b1, title="1号楼大堂改造")[0]


OBJECTS: dict[str, Callable[[Any], Any]] = {
    "works_project_b1": lambda w: Project(estate=w.here, building=w.b1),
    "works_project_estate": lambda w: Project(estate=w.here),
    "works_project_there": lambda w: Project(estate=w.there, building=w.b_there),
    "signer_person1": lambda w: AcceptanceSigner(person=w.person1),
    "signer_person2": lambda w: AcceptanceSigner(person=w.person2),
}


def rule_rows(roles: dict[str, frozenset[str]]) -> list[tuple[str, str, str, frozenset[str]]]:
    managers, organisers, members = roles["managers"], roles["organisers"], roles["members"]
    there = roles["managers_there"]
    return [
        ("works", "view", "works_project_b1", members),
        ("works", "view", "works_project_there", there),
        ("works", "design", "works_project_b1", managers | {"leader"}),
        ("works", "design", "works_project_estate", managers),
        ("works", "design", "works_project_there", there),
        ("works", "start_design_vote", "works_project_b1", organisers),
        ("works", "start_design_vote", "works_project_there", there),
        ("works", "offer_owners_decision", "works_project_b1", organisers),
        ("works", "manage", "works_project_b1", managers | {"leader"}),
        ("works", "manage", "works_project_there", there),
        ("works", "complete_milestone", "works_project_b1", managers | {"leader"}),
        ("works", "supervise", "works_project_b1", managers | {"leader", "resident"}),
        ("works", "supervise", "works_project_there", there),
        ("works", "record_paper_signature", "works_project_b1", managers),
        ("works", "evaluate", "works_project_b1", frozenset({"resident"})),
        ("works", "evaluate", "works_project_estate", frozenset({"resident"})),
        ("works", "evaluate", "works_project_there", frozenset()),
        ("acceptance_signer", "sign", "signer_person1", frozenset({"resident"})),
        ("acceptance_signer", "sign", "signer_person2", frozenset()),
    ]


def _args(make: Callable[[Any, Project], Any] | None = None) -> Callable[[Any], list[Any]]:
    def args(w: Any) -> list[Any]:
        project = project_b1(w)
        extra = make(w, project) if make else None
        return ["here", project.pk] + ([extra] if extra is not None else [])

    return args


def _staff(w: Any) -> Any:
    return w.users["staff"]


def _two_options(w: Any, project: Project) -> None:
    for label in ("温馨木色", "简约明亮"):
        services.design_option_add(actor=_staff(w), project=project, label=label)


def _design_photo(w: Any, project: Project) -> int:
    option = services.design_option_add(
        actor=_staff(w), project=project, label="温馨木色", photos=[photo()]
    )
    return option.photos.get().pk


def _plan_with_pdf(w: Any, project: Project) -> int:
    return services.design_plan_add(actor=_staff(w), project=project, title="图", pdf=pdf()).pk


def _facade(w: Any, project: Project) -> int:
    services.design_scope_set(actor=_staff(w), project=project, touches_facade=True)
    return 7


def _quote(w: Any, project: Project) -> int:
    return services.quote_add(actor=_staff(w), project=project, contractor="甲", amount="100").pk


def _milestone(w: Any, project: Project) -> int:
    return services.milestone_add(actor=_staff(w), project=project, title="拆除").pk


def _item(w: Any, project: Project) -> int:
    return services.acceptance_item_add(actor=_staff(w), project=project, text="地砖").pk


def _ready_signer(w: Any, project: Project) -> int:
    item = services.acceptance_item_add(actor=_staff(w), project=project, text="地砖")
    services.acceptance_item_check(actor=_staff(w), item=item, result="pass")
    return services.acceptance_representatives_set(
        actor=_staff(w), project=project, people=[w.person1]
    )[0].pk


def _signer_only(w: Any, project: Project) -> None:
    _ready_signer(w, project)


def _vote_dates(w: Any) -> dict[str, str]:
    opens = timezone.localtime() + datetime.timedelta(days=20)
    return {
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "unit": "household",
    }


def url_rows(expect: Callable[..., dict[str, Any]], roles: dict[str, frozenset[str]]):
    everyone, members = roles["everyone"], roles["members"]
    managers, organisers = roles["managers"], roles["organisers"]
    designers = managers | {"leader"}

    def acting(allowed: frozenset[str]) -> dict[str, Any]:
        """Allowed: 302 back to the page; other members of the estate see the page but are
        refused (403); everyone else gets the same 404 as a missing page."""
        table = expect(302, allowed)
        for role in members - allowed:
            table[role] = 403
        return table

    def form_page(allowed: frozenset[str]) -> dict[str, Any]:
        table = expect(200, allowed)
        for role in members - allowed:
            table[role] = 403
        return table

    post_only = expect(405, everyone)
    page = expect(200, members)
    api_read = expect(200, members, anonymous=401)
    api_write = expect(401, everyone)

    def post(data: Any, allowed: frozenset[str], state: Any) -> dict[str, Any]:
        return {
            "data": data,
            "expect": acting(allowed),
            "state": state,
            "writes": allowed,
        }

    count = lambda model: lambda w: model.objects.count()  # noqa: E731

    return {
        "works_design": {"args": _args(), "GET": page},
        "works_plan_add": {
            "args": _args(),
            "GET": form_page(designers),
            "POST": post(
                lambda w: {"title": "平面图", "photos": photo()}, designers, count(DesignPlanModel)
            ),
        },
        "works_plan_pdf": {"args": _args(_plan_with_pdf), "GET": page},
        "works_option_add": {
            "args": _args(),
            "GET": form_page(designers),
            "POST": post(lambda w: {"label": "方案A"}, designers, count(DesignOption)),
        },
        "works_scope": {
            "args": _args(),
            "GET": form_page(designers),
            "POST": post(
                lambda w: {"touches_facade": "on"},
                designers,
                lambda w: list(DesignScope.objects.values_list("touches_facade", flat=True)),
            ),
        },
        "works_vote_start": {
            "args": _args(lambda w, p: _two_options(w, p)),
            "GET": form_page(organisers),
            "POST": post(_vote_dates, organisers, count(DesignVote)),
        },
        "works_owners_offer": {
            "args": _args(_facade),
            "GET": post_only,
            "POST": post(lambda w: {}, organisers, count(OwnersDecisionLink)),
        },
        "works_quotes": {
            "args": _args(),
            "GET": page,
            "POST": post(lambda w: {"contractor": "乙", "amount": "99"}, designers, count(Quote)),
        },
        "works_quote_choose": {
            "args": _args(_quote),
            "GET": post_only,
            "POST": post(
                lambda w: {"reason": "价格合适"},
                designers,
                lambda w: list(Quote.objects.values_list("chosen", flat=True)),
            ),
        },
        "works_milestones": {
            "args": _args(),
            "GET": page,
            "POST": post(lambda w: {"title": "铺地砖"}, designers, count(Milestone)),
        },
        "works_milestone_done": {
            "args": _args(_milestone),
            "GET": post_only,
            "POST": post(
                lambda w: {"photos": photo()},
                designers,
                lambda w: list(Milestone.objects.values_list("done_at", flat=True)),
            ),
        },
        "works_supervision": {
            "args": _args(),
            "GET": page,
            "POST": post(
                lambda w: {"text": "地砖已到货"}, designers | {"resident"}, count(SupervisionEntry)
            ),
        },
        "works_acceptance": {"args": _args(), "GET": page},
        "works_acceptance_item_add": {
            "args": _args(),
            "GET": post_only,
            "POST": post(lambda w: {"text": "灯具完好"}, designers, count(AcceptanceItem)),
        },
        "works_acceptance_item_check": {
            "args": _args(_item),
            "GET": post_only,
            "POST": post(
                lambda w: {"result": "pass"},
                designers,
                lambda w: list(AcceptanceItem.objects.values_list("result", flat=True)),
            ),
        },
        "works_representatives": {
            "args": _args(),
            "GET": form_page(designers),
            "POST": post(lambda w: {"people": [w.person1.pk]}, designers, count(AcceptanceSigner)),
        },
        "works_acceptance_sign": {
            "args": _args(_signer_only),
            "GET": post_only,
            "POST": post(
                lambda w: {},
                frozenset({"resident"}),
                lambda w: list(AcceptanceSigner.objects.values_list("signed_at", flat=True)),
            ),
        },
        "works_acceptance_paper": {
            "args": _args(_ready_signer),
            "GET": post_only,
            "POST": post(
                lambda w: {"photo": photo()},
                managers,
                lambda w: list(AcceptanceSigner.objects.values_list("mode", flat=True)),
            ),
        },
        "works_evaluation": {
            "args": _args(),
            "GET": page,
            "POST": post(
                lambda w: {"result_rating": "4", "process_rating": "5"},
                frozenset({"resident"}),
                count(Evaluation),
            ),
        },
        "works_photo": {
            "args": lambda w: [
                "here",
                project_b1(w).pk,
                "design",
                _design_photo(w, project_b1(w)),
                "thumb",
            ],
            "GET": page,
        },
        # API: reads for whoever sees the project (a session works); writes need a token.
        "api:works_design": {"args": lambda w: [project_b1(w).pk], "GET": api_read},
        "api:works_option_create": {
            "args": lambda w: [project_b1(w).pk],
            "POST": {
                "data": lambda w: {"label": "A"},
                "expect": api_write,
                "state": count(DesignOption),
            },
        },
        "api:works_quotes": {
            "args": lambda w: [project_b1(w).pk],
            "GET": api_read,
            "POST": {"data": lambda w: {}, "expect": api_write, "state": count(Quote)},
        },
        "api:works_milestones": {"args": lambda w: [project_b1(w).pk], "GET": api_read},
        "api:works_supervision": {
            "args": lambda w: [project_b1(w).pk],
            "GET": api_read,
            "POST": {
                "data": lambda w: {"text": "x"},
                "expect": api_write,
                "state": count(SupervisionEntry),
            },
        },
        "api:works_acceptance_sign": {
            "args": lambda w: [project_b1(w).pk],
            "POST": {"data": lambda w: {}, "expect": api_write},
        },
        "api:works_evaluation": {
            "args": lambda w: [project_b1(w).pk],
            "GET": api_read,
            "POST": {"data": lambda w: {}, "expect": api_write, "state": count(Evaluation)},
        },
    }
