"""`linju backup` and `linju restore`: a snapshot restored into an empty data folder (and, on
PostgreSQL, an empty database) holds exactly the rows it was taken from."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from linju.community.models import Building, Estate, Street
from linju.core import backups

ON_SQLITE = connection.vendor == "sqlite"
ON_POSTGRESQL = connection.vendor == "postgresql"
sqlite_only = pytest.mark.skipif(not ON_SQLITE, reason="SQLite backups")
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL backups")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    """A media folder of this test's own (tests run in parallel)."""
    root = tmp_path / "media"
    (root / "attachments" / "2026").mkdir(parents=True)
    (root / "attachments" / "2026" / "公约草案.txt").write_text("第一条 楼道保持畅通。\n")
    (root / "photo.bin").write_bytes(bytes(range(256)))
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def rows() -> None:
    street = Street.objects.create(name="万里街道", slug="wanli", district="普陀区", city="上海市")
    estate = Estate.objects.create(street=street, name="中浩云花园", slug="zhonghao")
    for number in ("17", "18", "3A"):
        Building.objects.create(estate=estate, number=number, floors=6)


def _subprocess_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["LINJU_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "linju.settings"
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _linju(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "linju", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _rows_of(cursor: Any, tables: list[str], quote_name: Any) -> dict[str, list[str]]:
    """Every row of every table, as sorted reprs, so two databases compare with ==."""
    out = {}
    for table in tables:
        cursor.execute(f"SELECT * FROM {quote_name(table)}")  # noqa: S608 - quoted names
        out[table] = sorted(repr(tuple(row)) for row in cursor.fetchall())
    return out


def _sqlite_rows(db: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return _rows_of(db.cursor(), sorted(tables), backups._sqlite_quote)


def _plain_sqlite_connection() -> sqlite3.Connection:
    """A second, plain connection to the test database (Django's converts column values)."""
    name = str(connection.settings_dict["NAME"])
    return sqlite3.connect(name, uri=name.startswith("file:"))


def _manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.load(member)


# --- Both engines ------------------------------------------------------------------------------


def test_backup_writes_manifest_database_and_media(rows, media_root, tmp_path):
    archive = tmp_path / "out.tar.gz"
    call_command("backup", output=str(archive))

    assert archive.stat().st_mode & 0o777 == 0o600
    manifest = _manifest(archive)
    assert manifest["format"] == "linju-backup"
    assert manifest["format_version"] == backups.FORMAT_VERSION
    assert manifest["engine"] == connection.vendor
    assert manifest["linju_version"]
    assert manifest["created_at"]
    assert manifest["tables"]["community_street"] == 1
    assert manifest["tables"]["community_estate"] == 1
    assert manifest["tables"]["community_building"] == 3
    assert manifest["tables"] == backups.table_counts()
    assert manifest["media_files"] == 2
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert manifest["database"] in names
    assert "media/attachments/2026/公约草案.txt" in names
    assert "media/photo.bin" in names


def test_backup_goes_to_the_data_folder_by_default(rows, media_root, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    out = _call("backup")
    archives = list((tmp_path / "data" / "backups").glob("linju-*.tar.gz"))
    assert len(archives) == 1
    assert archives[0].name[len("linju-") : -len(".tar.gz")].replace("-", "").isdigit()
    assert str(archives[0]) in out
    # A second backup in the same second does not overwrite the first.
    _call("backup")
    assert len(list((tmp_path / "data" / "backups").glob("linju-*.tar.gz"))) == 2


def test_backup_into_a_folder(rows, media_root, tmp_path):
    existing = tmp_path / "existing"
    existing.mkdir()
    _call("backup", output=str(existing))
    _call("backup", output=str(tmp_path / "new" / "folder") + "/")
    assert len(list(existing.glob("linju-*.tar.gz"))) == 1
    assert len(list((tmp_path / "new" / "folder").glob("linju-*.tar.gz"))) == 1


def test_backup_refuses_to_overwrite(rows, media_root, tmp_path):
    archive = tmp_path / "out.tar.gz"
    archive.write_text("precious")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=str(archive))
    assert archive.read_text() == "precious"


def test_restore_rejects_what_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, arcname="manifest.json")
    with pytest.raises(CommandError, match="not a Linju backup"):
        call_command("restore", str(bogus))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))


def test_restore_rejects_paths_outside_the_archive(rows, media_root, tmp_path):
    archive = tmp_path / "out.tar.gz"
    call_command("backup", output=str(archive))
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(evil, "w:gz") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member) if member.isfile() else None)
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = 0
        dst.addfile(info)
    with pytest.raises(CommandError, match="outside the archive"):
        call_command("restore", str(evil), force=True)
    assert not (tmp_path / "escaped.txt").exists()


def test_restore_refuses_a_database_with_data(rows, media_root, tmp_path):
    archive = tmp_path / "out.tar.gz"
    call_command("backup", output=str(archive))
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))


def test_restore_force_in_place_brings_back_the_snapshot(rows, media_root, tmp_path):
    archive = tmp_path / "out.tar.gz"
    call_command("backup", output=str(archive))
    before = backups.table_counts()

    # Change things after the backup: they must be gone after the restore.
    Building.objects.filter(number="3A").delete()
    Street.objects.create(name="长风街道", slug="changfeng")
    (media_root / "photo.bin").unlink()
    (media_root / "later.txt").write_text("after the backup")

    out = _call("restore", str(archive), force=True)
    assert "match the manifest" in out
    assert backups.table_counts() == before
    assert set(Building.objects.values_list("number", flat=True)) == {"17", "18", "3A"}
    assert not Street.objects.filter(slug="changfeng").exists()
    assert (media_root / "photo.bin").read_bytes() == bytes(range(256))
    assert not (media_root / "later.txt").exists()


def _call(*args: Any, **options: Any) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


# --- SQLite ------------------------------------------------------------------------------------


@sqlite_only
def test_sqlite_backup_restores_into_an_empty_data_folder(rows, media_root, tmp_path):
    archive = tmp_path / "snapshot.tar.gz"
    call_command("backup", output=str(archive))

    fresh = tmp_path / "fresh-data"
    result = _linju("restore", str(archive), env=_subprocess_env(fresh))
    assert result.returncode == 0, result.stderr
    assert "match the manifest" in result.stdout
    assert "Traceback" not in result.stderr

    # Every row of every table, in the live (test) database and in the restored file.
    live_db = _plain_sqlite_connection()
    try:
        live = _sqlite_rows(live_db)
    finally:
        live_db.close()
    restored_db = sqlite3.connect(fresh / "linju.sqlite3")
    try:
        restored = _sqlite_rows(restored_db)
    finally:
        restored_db.close()
    assert restored == live
    assert len(restored["community_building"]) == 3

    # The archived file is the same snapshot, byte for byte in content.
    extracted = tmp_path / "extracted"
    with tarfile.open(archive) as tar:
        tar.extract("database.sqlite3", extracted, filter="data")
    archived_db = sqlite3.connect(extracted / "database.sqlite3")
    try:
        assert _sqlite_rows(archived_db) == live
    finally:
        archived_db.close()

    restored_media = fresh / "media"
    assert (restored_media / "attachments" / "2026" / "公约草案.txt").read_text() == (
        "第一条 楼道保持畅通。\n"
    )
    assert (restored_media / "photo.bin").read_bytes() == bytes(range(256))

    # A second restore into the now-full folder is refused without --force, and works with it.
    again = _linju("restore", str(archive), env=_subprocess_env(fresh))
    assert again.returncode == 1
    assert "--force" in again.stderr
    assert "Traceback" not in again.stderr
    forced = _linju("restore", str(archive), "--force", env=_subprocess_env(fresh))
    assert forced.returncode == 0, forced.stderr


@sqlite_only
def test_sqlite_backup_refuses_a_postgresql_archive(rows, media_root, tmp_path):
    archive = tmp_path / "out.tar.gz"
    call_command("backup", output=str(archive))
    rewritten = tmp_path / "pg.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(rewritten, "w:gz") as dst:
        for member in src.getmembers():
            if member.name == "manifest.json":
                data = json.loads(src.extractfile(member).read())  # type: ignore[union-attr]
                data["engine"] = "postgresql"
                raw = json.dumps(data).encode()
                member.size = len(raw)
                dst.addfile(member, BytesIO(raw))
            else:
                dst.addfile(member, src.extractfile(member) if member.isfile() else None)
    with pytest.raises(CommandError, match="same kind of database"):
        call_command("restore", str(rewritten), force=True)


# --- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture
def scratch_database():
    """An empty PostgreSQL database of this test's own; its URL."""
    params = connection.settings_dict
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"linju_restore_{worker}_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = quote(str(params.get("USER") or ""), safe="")
    password = quote(str(params.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "localhost"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    try:
        yield name, f"postgres://{auth}{host}{port}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_rows(database: str) -> dict[str, list[str]]:
    import psycopg

    params = connection.settings_dict
    with (
        psycopg.connect(
            dbname=database,
            user=params.get("USER") or None,
            password=params.get("PASSWORD") or None,
            host=params.get("HOST") or None,
            port=params.get("PORT") or None,
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        return _rows_of(cursor, tables, connection.ops.quote_name)


@postgresql_only
def test_postgresql_backup_restores_into_an_empty_database(
    rows, media_root, tmp_path, scratch_database
):
    name, url = scratch_database
    archive = tmp_path / "snapshot.tar.gz"
    call_command("backup", output=str(archive))
    assert _manifest(archive)["database"] == "database.pgdump"

    fresh = tmp_path / "fresh-data"
    result = _linju("restore", str(archive), env=_subprocess_env(fresh, url))
    assert result.returncode == 0, result.stderr
    assert "match the manifest" in result.stdout

    live = _pg_rows(connection.settings_dict["NAME"])
    restored = _pg_rows(name)
    assert restored == live
    assert len(restored["community_building"]) == 3
    assert (fresh / "media" / "photo.bin").read_bytes() == bytes(range(256))

    again = _linju("restore", str(archive), env=_subprocess_env(fresh, url))
    assert again.returncode == 1
    assert "--force" in again.stderr
    assert "Traceback" not in again.stderr
