"""``linju demo``: set up the database, load the demo estate and serve it with a worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from linju.accounts.sms import outbox_path
from linju.community.demo import DEMO_PASSWORD, ESTATE_SLUG, DemoSummary, demo_load
from linju.core.phones import national

# Accounts listed one by one; the other buildings' leaders are summed up in one line.
LISTED_LEADER = "leader17"


class Command(BaseCommand):
    help = "Load the demo estate 中浩云花园 and serve it on this machine (with the task worker)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="Address to serve on (default %(default)s)."
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Only load the demo data, do not serve it."
        )

    def handle(self, *args, addr: str, no_serve: bool, **options):
        call_command("migrate", verbosity=0, interactive=False)
        # The default static storage needs a manifest once DEBUG is off.
        call_command("collectstatic", verbosity=0, interactive=False)
        summary = demo_load(stdout=self.stdout)
        self._print_accounts(summary)
        if not no_serve:
            self._serve(addr)

    def _print_accounts(self, summary: DemoSummary) -> None:
        out = self.stdout.write
        out("")
        out(
            f"中浩云花园 · {summary.buildings} 栋楼 buildings · {summary.flats} 户 flats · "
            f"{summary.people} 位居民 residents"
        )
        out("")
        out("演示账号 / Demo accounts")
        rows = [("用户名 Username", "密码 Password", "身份 Who")]
        rows += [
            (username, DEMO_PASSWORD, who)
            for username, who in summary.accounts
            if not username.startswith("leader") or username == LISTED_LEADER
        ]
        rows.append(
            (
                "leader<楼号 no.>",
                DEMO_PASSWORD,
                "每栋楼的楼组长 / the group leader of every building (leader1 … leader26)",
            )
        )
        for username, password, who in rows:
            out(f"  {_pad(username, 22)}{_pad(password, 20)}{who}")
        resident = get_user_model().objects.filter(username="resident17").first()
        if resident is not None and resident.phone:
            out(
                f"  resident17 也可以用手机号 {national(resident.phone)} 和短信验证码登录 / "
                "can also sign in with this number and a text-message code"
            )
        out("")

    def _serve(self, addr: str) -> None:
        host, port = _host_and_port(addr)
        _require_free(host, port)
        self.stdout.write(f"打开 Open  http://{_url_host(host)}:{port}/e/{ESTATE_SLUG}/")
        self.stdout.write("按 Ctrl+C 停止 / press Ctrl+C to stop\n")
        # `kill` and service managers send SIGTERM; stop the same way as on Ctrl+C.
        signal.signal(signal.SIGTERM, _exit)
        self._use_sms_outbox()
        worker = _start_worker()
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            _stop_worker(worker)

    def _use_sms_outbox(self) -> None:
        """Text messages (sign-in codes) go to a file in the data folder, for this process and
        its worker, unless LINJU_SMS_BACKEND names a backend: the demo's numbers are unissued
        and the default ("refuse") would make code sign-in fail. Pages never show codes."""
        if "LINJU_SMS_BACKEND" not in os.environ:
            os.environ["LINJU_SMS_BACKEND"] = "file"  # the worker inherits it
            settings.LINJU_SMS_BACKEND = "file"
        if settings.LINJU_SMS_BACKEND == "file":
            self.stdout.write(f"短信验证码写在 Text-message codes are written to  {outbox_path()}")


def _exit(signum, frame) -> None:
    raise SystemExit(0)


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where a Chinese character takes two columns."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - columns, 1)


def _host_and_port(addr: str) -> tuple[str, int]:
    host, _, port = addr.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"Give the address as host:port, e.g. 127.0.0.1:8000 (not {addr!r}).")
    return (host.strip("[]") or "127.0.0.1"), int(port)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _require_free(host: str, port: int) -> None:
    """Fail before the worker starts: runserver exits abruptly when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CommandError(f"Cannot serve on {host}:{port}: {error.strerror}.") from None


def _start_worker() -> subprocess.Popen:
    env = dict(os.environ)
    # The worker must use this database, even when the data folder was given as a relative path.
    env["LINJU_DATA_DIR"] = str(settings.DATA_DIR)
    env.setdefault("DJANGO_SETTINGS_MODULE", "linju.settings")
    command = [sys.executable, "-m", "linju", "worker", "--queue-name", "*", "--no-reload"]
    return subprocess.Popen(command, env=env)  # noqa: S603 - our own interpreter and module


def _stop_worker(worker: subprocess.Popen) -> None:
    # Ctrl+C reaches the worker too, and it finishes its task; give it a moment first.
    try:
        worker.wait(timeout=3)
        return
    except subprocess.TimeoutExpired:
        worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
