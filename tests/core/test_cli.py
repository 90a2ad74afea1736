"""The `linju` commands for operators: create_admin, create_estate, worker."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from linju.community.models import Estate, Role, Street
from linju.core import permissions
from linju.core.models import AuditEvent

User = get_user_model()
PASSWORD = "linju-demo-2026"

pytestmark = pytest.mark.django_db


def _call(*args: Any, **options: Any) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def _snapshot() -> dict[str, int]:
    return {
        "streets": Street.objects.count(),
        "estates": Estate.objects.count(),
        "users": User.objects.count(),
        "roles": Role.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def admin():
    _call("create_admin", "root", password=PASSWORD)
    return User.objects.get(username="root")


def _create_estate(**overrides: Any) -> str:
    options = {
        "as_user": "root",
        "street_name": "万里街道",
        "street_slug": "wanli",
        "estate_name": "中浩云花园",
        "estate_slug": "zhonghao",
        "staff_username": "su",
        "staff_password": PASSWORD,
    }
    options.update(overrides)
    return _call("create_estate", **options)


# --- create_admin ------------------------------------------------------------------------------


def test_create_admin_makes_a_platform_admin():
    out = _call("create_admin", "root", password=PASSWORD, display_name="平台管理员")
    assert "root" in out
    user = User.objects.get(username="root")
    assert user.check_password(PASSWORD)
    assert user.display_name == "平台管理员"
    assert list(user.roles.values_list("kind", flat=True)) == [Role.Kind.PLATFORM_ADMIN]
    assert permissions.actor_for(user).is_admin
    actions = set(AuditEvent.objects.values_list("action", "actor_label"))
    assert actions == {("account.create", "system"), ("role.assign", "system")}


def test_create_admin_reads_the_password_from_stdin():
    _call("create_admin", "root", password_stdin=True, stdin=StringIO(PASSWORD + "\n"))
    assert User.objects.get(username="root").check_password(PASSWORD)


def test_create_admin_without_a_password_says_how_to_give_one():
    stdin = StringIO("")  # not a terminal: no prompt
    with pytest.raises(CommandError, match="--password-stdin"):
        _call("create_admin", "root", stdin=stdin)
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["12345678", "short", "password"])
def test_create_admin_refuses_a_weak_password(password):
    before = _snapshot()
    with pytest.raises(CommandError):
        _call("create_admin", "root", password=password)
    assert _snapshot() == before


def test_create_admin_refuses_a_taken_name(admin):
    before = _snapshot()
    with pytest.raises(CommandError, match="already exists"):
        _call("create_admin", "root", password=PASSWORD)
    assert _snapshot() == before


def test_create_admin_refuses_a_bad_phone():
    with pytest.raises(CommandError, match="mobile"):
        _call("create_admin", "root", password=PASSWORD, phone="12345")
    assert not User.objects.exists()


# --- create_estate -----------------------------------------------------------------------------


def test_create_estate_makes_street_estate_and_staff(admin):
    out = _create_estate(staff_phone="138 0013 8000", street_district="普陀区")
    assert "Created street 万里街道" in out
    assert "Created estate 中浩云花园" in out

    street = Street.objects.get(slug="wanli")
    assert street.name == "万里街道"
    assert street.district == "普陀区"
    estate = Estate.objects.get(slug="zhonghao")
    assert estate.street == street
    staff = User.objects.get(username="su")
    assert staff.check_password(PASSWORD)
    assert staff.phone == "+8613800138000"
    role = staff.roles.get()
    assert (role.kind, role.estate, role.street) == (Role.Kind.COMMITTEE_STAFF, estate, street)
    assert estate.pk in permissions.actor_for(staff).staff_estates

    # Done through the services, as the admin: every write audited with the admin's name.
    events = AuditEvent.objects.filter(actor=admin)
    assert set(events.values_list("action", flat=True)) == {
        "street.create",
        "estate.create",
        "account.create",
        "role.assign",
    }


def test_create_estate_reuses_an_existing_street(admin):
    _create_estate()
    out = _create_estate(
        street_name=None, estate_name="长风小区", estate_slug="changfeng", staff_username="su2"
    )
    assert "existing street" in out
    assert Street.objects.count() == 1
    assert set(Estate.objects.values_list("slug", flat=True)) == {"zhonghao", "changfeng"}


def test_create_estate_reads_the_staff_password_from_stdin(admin):
    _create_estate(staff_password=None, staff_password_stdin=True, stdin=StringIO(PASSWORD))
    assert User.objects.get(username="su").check_password(PASSWORD)


@pytest.mark.parametrize(
    "overrides, match",
    [
        # The estate slug is taken: the new street must not be left behind.
        ({"street_slug": "changfeng", "street_name": "长风街道"}, "estate"),
        # The staff name is taken: neither the street nor the estate may stay.
        (
            {
                "street_slug": "changfeng",
                "street_name": "长风街道",
                "estate_slug": "new",
                "estate_name": "新小区",
                "staff_username": "root",
            },
            "username",
        ),
        # A weak password for the staff account.
        (
            {
                "street_slug": "changfeng",
                "street_name": "长风街道",
                "estate_slug": "new",
                "estate_name": "新小区",
                "staff_username": "new",
                "staff_password": "12345678",
            },
            "staff account",
        ),
        # A new street needs a name.
        ({"street_slug": "nowhere", "street_name": None, "estate_slug": "x"}, "--street-name"),
        # An invalid slug.
        ({"street_slug": "new", "street_name": "新街道", "estate_slug": "not a slug"}, "slug"),
        # A bad phone number.
        (
            {
                "estate_slug": "new",
                "estate_name": "新小区",
                "staff_username": "new",
                "staff_phone": "555",
            },
            "phone",
        ),
    ],
)
def test_create_estate_writes_nothing_when_a_step_is_refused(admin, overrides, match):
    _create_estate()
    before = _snapshot()
    with pytest.raises(CommandError, match=match) as excinfo:
        _create_estate(**overrides)
    assert "Nothing was written" in str(excinfo.value)
    assert _snapshot() == before


def test_create_estate_needs_a_platform_admin(admin):
    _create_estate()
    before = _snapshot()
    with pytest.raises(CommandError, match="not a platform admin"):
        _create_estate(as_user="su", street_slug="other", estate_slug="other")
    with pytest.raises(CommandError, match="create_admin"):
        _create_estate(as_user="nobody", street_slug="other", estate_slug="other")
    assert _snapshot() == before


def test_create_estate_refuses_an_admin_whose_role_ended(admin):
    import datetime

    from django.utils import timezone

    admin.roles.update(
        starts_on=timezone.localdate() - datetime.timedelta(days=10),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    with pytest.raises(CommandError, match="not a platform admin"):
        _create_estate()
    assert not Estate.objects.exists()


# --- worker ------------------------------------------------------------------------------------


def test_worker_takes_db_worker_options():
    from django_tasks_db.management.commands.db_worker import Command as DbWorker

    from linju.core.management.commands.worker import Command as Worker

    assert issubclass(Worker, DbWorker)
    parser = Worker().create_parser("linju", "worker")
    options = parser.parse_args(["--batch", "--queue-name", "*", "--max-tasks", "3"])
    assert options.batch is True
    assert options.queue_name == "*"
    assert options.max_tasks == 3


# --- The real command line ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_data_dir(tmp_path_factory) -> Path:
    """A migrated SQLite data folder of its own, for commands run as separate processes."""
    data_dir = tmp_path_factory.mktemp("cli-data")
    result = _linju("migrate", "--noinput", "-v", "0", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir


def _linju(*args: str, data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["LINJU_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "linju", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_command_line_round_trip(cli_data_dir):
    result = _linju(
        "create_admin", "root", "--password-stdin", data_dir=cli_data_dir, stdin=PASSWORD
    )
    assert result.returncode == 0, result.stderr

    args = [
        "create_estate",
        "--as",
        "root",
        "--street-name",
        "万里街道",
        "--street-slug",
        "wanli",
        "--estate-name",
        "中浩云花园",
        "--estate-slug",
        "zhonghao",
        "--staff-username",
        "su",
        "--staff-password-stdin",
    ]
    result = _linju(*args, data_dir=cli_data_dir, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert "zhonghao" in result.stdout

    # The same estate again: a clear message and exit status 1, no traceback.
    again = _linju(*args, data_dir=cli_data_dir, stdin=PASSWORD + "\n")
    assert again.returncode == 1
    assert "CommandError" in again.stderr
    assert "Nothing was written" in again.stderr
    assert "Traceback" not in again.stderr

    # The worker runs queued tasks and, with --batch, stops when there are none.
    worker = _linju("worker", "--batch", "--no-startup-delay", "--no-reload", data_dir=cli_data_dir)
    assert worker.returncode == 0, worker.stderr
