"""Schemathesis over the whole API, signed in as each role: no 5xx, every response as
documented. Runs on one database only (marked like the browser tests), to keep CI time."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from linju.api.tokens import api_token_issue
from linju.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
ROLES = ["anonymous", "resident", "leader", "staff", "owners_committee", "staff_other_estate"]
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

pytestmark = [pytest.mark.one_database]  # see scripts/test.sh


@pytest.fixture
def tokens(world):
    return {
        role: api_token_issue(user=world.user(role), label="fuzz")
        for role in ROLES
        if role != "anonymous"
    }


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_as_documented(case, role, tokens, world, fake_wechat):
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role != "anonymous" else {}
    headers["Host"] = "localhost"
    case.call_and_validate(headers=headers, checks=CHECKS)
