"""Rows of the permission matrix (``tests/core/test_permissions.py``) for the foundation's
programmes and applications: the objects rules are asked about, the rule table, and each URL
(pages and API) × role. Building 1's leader applies; the foundation officer works for the
street of ``here``; ``there`` is in another street."""

from __future__ import annotations

from typing import Any

from linju.foundation.models import Application, ApplicationDocument, ApplicationPhoto, Programme
from tests.foundation import factories as f

ROLES = (
    "anonymous",
    "outsider",
    "resident",
    "leader",
    "leader_other_building",
    "staff",
    "owners_committee",
    "property",
    "foundation",
    "admin",
    "staff_other_estate",
)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
NOBODY: frozenset[str] = frozenset()
ADMIN = frozenset({"admin"})
OFFICERS = frozenset({"foundation", "admin"})
STAFF_HERE = frozenset({"staff", "admin"})
STAFF_THERE = frozenset({"staff_other_estate", "admin"})
APPLICANTS_B1 = STAFF_HERE | {"leader"}
MEMBERS_HERE = STAFF_HERE | {
    "owners_committee",
    "property",
    "resident",
    "leader",
    "leader_other_building",
}


def expect(
    status: int | set[int],
    allowed: frozenset[str],
    *,
    denied: int = 404,
    anonymous: int = 302,
) -> dict[str, int | set[int]]:
    return {
        role: status if role in allowed else anonymous if role == "anonymous" else denied
        for role in ROLES
    }


POST_ONLY = expect(405, SIGNED_IN)
API_WRITE = expect(401, EVERYONE, anonymous=401)


def _programme(w: Any, *, there: bool = False, status: str = "published") -> Programme:
    estate = w.there if there else w.here
    return Programme(street=estate.street, status=status)


def _application(w: Any, status: str, *, there: bool = False, building: Any = "b1") -> Application:
    estate = w.there if there else w.here
    if there:
        building = w.b_there
    elif building == "b1":
        building = w.b1
    return Application(
        programme=_programme(w, there=there),
        estate=estate,
        building=building,
        status=status,
    )


OBJECTS: dict[str, Any] = {
    "street_here": lambda w: w.here.street,
    "street_there": lambda w: w.there.street,
    "programme_published": lambda w: _programme(w),
    "programme_draft": lambda w: _programme(w, status="draft"),
    "programme_draft_there": lambda w: _programme(w, there=True, status="draft"),
    "application_draft_b1": lambda w: _application(w, "draft"),
    "application_submitted_b1": lambda w: _application(w, "submitted"),
    "application_received_b1": lambda w: _application(w, "received"),
    "application_received_there": lambda w: _application(w, "received", there=True),
    "application_draft_b2": lambda w: _application(w, "draft", building=w.b2),
    "application_draft_estate": lambda w: _application(w, "draft", building=None),
}

RULE_ROWS = [
    ("programme", "view", "programme_published", EVERYONE),
    ("programme", "view", "programme_draft", OFFICERS),
    ("programme", "view", "programme_draft_there", ADMIN),
    ("programme", "create", "street_here", OFFICERS),
    ("programme", "create", "street_there", ADMIN),
    ("programme", "manage", "programme_draft", OFFICERS),
    ("programme", "manage", "programme_draft_there", ADMIN),
    ("application", "view", "application_draft_b1", APPLICANTS_B1),
    ("application", "view", "application_submitted_b1", MEMBERS_HERE),
    ("application", "view", "application_received_b1", MEMBERS_HERE | {"foundation"}),
    ("application", "view", "application_received_there", STAFF_THERE),
    ("application", "create", "application_draft_b1", APPLICANTS_B1),
    ("application", "create", "application_draft_b2", STAFF_HERE | {"leader_other_building"}),
    ("application", "create", "application_draft_estate", STAFF_HERE),
    ("application", "edit", "application_draft_b1", APPLICANTS_B1),
    ("application", "endorse", "application_submitted_b1", STAFF_HERE),
    ("application", "endorse", "application_received_there", STAFF_THERE),
    ("application", "process", "application_received_b1", OFFICERS),
    ("application", "process", "application_received_there", ADMIN),
    ("application", "upload", "application_received_b1", APPLICANTS_B1),
    ("application", "upload", "application_received_there", STAFF_THERE),
]


def _street(w: Any) -> str:
    return w.here.street.slug


def _app(w: Any, state: str) -> list[Any]:
    application = f.make_application(w, state=state)
    return [_street(w), application.pk]


def _with_document(w: Any) -> list[Any]:
    from linju.foundation import services

    application = f.make_application(w, state="received")
    document = services.document_upload(
        actor=w.users["leader"], application=application, upload=f.pdf()
    )
    return [_street(w), application.pk, document.pk]


def _with_photo(w: Any) -> list[Any]:
    from linju.foundation import services

    application = f.make_application(w)
    photo = services.application_photo_add(
        actor=w.users["leader"], application=application, upload=f.png()
    )
    return [_street(w), application.pk, photo.pk, "full"]


def _programme_post(w: Any) -> dict[str, Any]:
    values = f.programme_values()
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
    data.update(
        {
            "criteria-TOTAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "20",
            "criteria-0-name": "居民参与度",
            "criteria-0-weight": "3",
        }
    )
    return data


def _statuses(w: Any = None) -> list[str]:
    return list(Application.objects.order_by("pk").values_list("status", flat=True))


def _post(data: Any, allowed: frozenset[str], state: Any, status: int = 302) -> dict[str, Any]:
    return {"data": data, "expect": expect(status, allowed), "state": state, "writes": allowed}


VIEWERS_RECEIVED = MEMBERS_HERE | {"foundation"}

URL_ROWS: dict[str, dict[str, Any]] = {
    "foundation_home": {
        "args": lambda w: [_street(w)],
        "GET": expect(200, EVERYONE, anonymous=200),
    },
    "programme_create": {
        "args": lambda w: [_street(w)],
        "GET": expect(200, OFFICERS),
        "POST": _post(_programme_post, OFFICERS, lambda w: Programme.objects.count()),
    },
    "programme_detail": {
        "args": lambda w: [_street(w), f.make_programme(w).pk],
        "GET": expect(200, EVERYONE, anonymous=200),
    },
    "programme_edit": {
        "args": lambda w: [_street(w), f.make_programme(w, published=False).pk],
        "GET": expect(200, OFFICERS),
    },
    "programme_publish": {
        "args": lambda w: [_street(w), f.make_programme(w, published=False).pk],
        "GET": POST_ONLY,
        "POST": _post(
            lambda w: {},
            OFFICERS,
            lambda w: list(Programme.objects.values_list("status", flat=True)),
        ),
    },
    "programme_advance": {
        "args": lambda w: [_street(w), f.make_programme(w).pk],
        "GET": POST_ONLY,
        "POST": _post(
            lambda w: {"status": "reviewing"},
            OFFICERS,
            lambda w: list(Programme.objects.values_list("status", flat=True)),
        ),
    },
    "application_create": {
        "args": lambda w: [_street(w), f.make_programme(w).pk, f.make_project(w).pk],
        "GET": expect(200, APPLICANTS_B1),
        "POST": _post(
            lambda w: {
                "title": "1号楼 楼道焕新",
                "plan": "粉刷楼道",
                "budget": "48000",
                "requested": "30000",
            },
            APPLICANTS_B1,
            lambda w: Application.objects.count(),
        ),
    },
    "application_detail": {
        "args": lambda w: _app(w, "received"),
        "GET": expect(200, VIEWERS_RECEIVED),
    },
    "application_edit": {
        "args": lambda w: _app(w, "draft"),
        "GET": expect(200, APPLICANTS_B1),
    },
    "application_submit": {
        "args": lambda w: _app(w, "draft"),
        "GET": POST_ONLY,
        "POST": _post(lambda w: {}, APPLICANTS_B1, _statuses),
    },
    "application_endorse": {
        "args": lambda w: _app(w, "submitted"),
        "GET": POST_ONLY,
        "POST": _post(lambda w: {"message": "同意"}, STAFF_HERE, _statuses),
    },
    "application_return": {
        "args": lambda w: _app(w, "submitted"),
        "GET": expect(200, STAFF_HERE),
        "POST": _post(lambda w: {"message": "请补充预算"}, STAFF_HERE, _statuses),
    },
    "application_receive": {
        "args": lambda w: _app(w, "endorsed"),
        "GET": POST_ONLY,
        "POST": _post(lambda w: {}, OFFICERS, _statuses),
    },
    "application_move": {
        "args": lambda w: _app(w, "received"),
        "GET": POST_ONLY,
        "POST": _post(lambda w: {"status": "under_review"}, OFFICERS, _statuses),
    },
    "application_document_request": {
        "args": lambda w: _app(w, "received"),
        "GET": expect(200, OFFICERS),
        "POST": _post(
            lambda w: {"message": "请上传报价单"},
            OFFICERS,
            lambda w: Application.objects.get().document_requests.count(),
        ),
    },
    "application_document_add": {
        "args": lambda w: _app(w, "received"),
        "GET": expect(200, APPLICANTS_B1),
        "POST": _post(
            lambda w: {"file": f.pdf(), "kind": "budget"},
            APPLICANTS_B1,
            lambda w: ApplicationDocument.objects.count(),
        ),
    },
    "application_document": {
        "args": _with_document,
        "GET": expect(200, VIEWERS_RECEIVED),
    },
    "application_photo_add": {
        "args": lambda w: _app(w, "draft"),
        "GET": expect(200, APPLICANTS_B1),
        "POST": _post(
            lambda w: {"upload": f.png()},
            APPLICANTS_B1,
            lambda w: ApplicationPhoto.objects.count(),
        ),
    },
    "application_photo": {
        "args": _with_photo,
        "GET": expect(200, APPLICANTS_B1),
    },
    "console_foundation_applications": {
        "args": lambda w: ["here"],
        "GET": expect(200, STAFF_HERE),
    },
    # The JSON API: reads follow the rules for a session; writes need a bearer token.
    "api:foundation_programme_list": {
        "args": lambda w: [],
        "GET": expect(422, EVERYONE, anonymous=422),
    },
    "api:foundation_programme_detail": {
        "args": lambda w: [f.make_programme(w).pk],
        "GET": expect(200, EVERYONE, anonymous=200),
    },
    "api:foundation_application_create": {
        "args": lambda w: [],
        "POST": {"data": lambda w: {}, "expect": API_WRITE, "state": _statuses},
    },
    "api:foundation_application_detail": {
        "args": lambda w: _app(w, "received")[1:],
        "GET": expect(200, VIEWERS_RECEIVED, anonymous=401),
    },
    **{
        f"api:foundation_{name}": {
            "args": lambda w: _app(w, "received")[1:],
            "POST": {"data": lambda w: {}, "expect": API_WRITE, "state": _statuses},
        }
        for name in (
            "application_submit",
            "application_endorse",
            "application_return",
            "document_request",
            "document_upload",
        )
    },
}
