"""Backups: one consistent snapshot of the database and the uploaded files in one archive.

An archive (``linju-YYYYmmdd-HHMMSS.tar.gz``) holds:

- ``manifest.json``: format version, Linju version, database engine, time, row count per table;
- ``database.sqlite3`` (SQLite, copied with SQLite's online-backup API, so a running server
  may keep writing) or ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``, taken in
  the same snapshot as the row counts);
- ``media/``: the uploaded files.

``restore_backup()`` brings an archive back into the configured database and data folder and
checks the row counts against the manifest.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

import linju

FORMAT_NAME = "linju-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PGDUMP_MEMBER = "database.pgdump"
MEDIA_MEMBER = "media"

# Tables that ``migrate`` fills by itself: a database holding rows only here counts as empty.
BOOKKEEPING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})


class BackupError(Exception):
    """A backup or restore could not be done; the message says why, for a person."""


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    expected: dict[str, int]
    actual: dict[str, int]

    @property
    def mismatches(self) -> list[str]:
        return [table for table, count in self.expected.items() if self.actual.get(table) != count]


def engine_name(alias: str = DEFAULT_DB_ALIAS) -> str:
    """``sqlite`` or ``postgresql`` for the configured database; anything else is refused."""
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


# --- Row counts ------------------------------------------------------------------------------


def _count_rows(cursor: Any, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - quoted names
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_file_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return _count_rows(db.cursor(), tables, _sqlite_quote)
    finally:
        db.close()


def table_counts(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows per table in the configured database, as it is now."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = [
            name
            for name in connection.introspection.table_names(cursor)
            if not name.startswith("sqlite_")
        ]
        return _count_rows(cursor, tables, connection.ops.quote_name)


def database_is_empty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """True when no table holds rows beyond what ``migrate`` itself writes."""
    return not any(
        count for table, count in table_counts(alias).items() if table not in BOOKKEEPING_TABLES
    )


# --- PostgreSQL command-line tools -------------------------------------------------------------


def _pg_command_env(alias: str = DEFAULT_DB_ALIAS) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore, and an environment with the password."""
    params = connections[alias].settings_dict
    args = []
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    args += ["--dbname", str(params["NAME"])]
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    options = params.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def _run_pg_tool(command: list[str], env: dict[str, str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} was not found. Install PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client)."
        )
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BackupError(f"{tool} failed (exit {result.returncode}):\n{detail}")


# --- Backup ------------------------------------------------------------------------------------


def default_backup_path(now: Any = None, folder: str | Path | None = None) -> Path:
    """``linju-YYYYmmdd-HHMMSS.tar.gz`` in ``folder`` (``LINJU_DATA_DIR/backups``), not taken."""
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    folder = Path(folder) if folder is not None else Path(settings.DATA_DIR) / "backups"
    path = folder / f"linju-{stamp}.tar.gz"
    n = 1
    while path.exists():
        path = folder / f"linju-{stamp}-{n}.tar.gz"
        n += 1
    return path


def _snapshot_sqlite(target: Path, alias: str) -> dict[str, int]:
    """Copy the live SQLite database page by page into ``target``; count its rows."""
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("Take a backup outside a database transaction.")
    connection.ensure_connection()
    live = connection.connection
    copy = sqlite3.connect(target)
    try:
        live.backup(copy)
        # A self-contained file: no -wal or -shm beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
    return _sqlite_file_counts(target)


def _snapshot_postgresql(target: Path, alias: str) -> dict[str, int]:
    """Dump with pg_dump inside one exported snapshot, and count the rows in that snapshot."""
    connection = connections.create_connection(alias)
    try:
        connection.set_autocommit(False)
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = connection.introspection.table_names(cursor)
            counts = _count_rows(cursor, tables, connection.ops.quote_name)
            args, env = _pg_command_env(alias)
            _run_pg_tool(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(target),
                ],
                env,
            )
        connection.rollback()
    finally:
        connection.close()
    return counts


def _add_media(archive: tarfile.TarFile) -> int:
    media_root = Path(settings.MEDIA_ROOT)
    files = 0
    info = tarfile.TarInfo(MEDIA_MEMBER)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info)
    if not media_root.is_dir():
        return 0
    for path in sorted(media_root.rglob("*")):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            continue
        name = str(PurePosixPath(MEDIA_MEMBER, *path.relative_to(media_root).parts))
        archive.add(path, arcname=name, recursive=False)
        files += path.is_file()
    return files


def create_backup(output: str | Path | None = None, *, alias: str = DEFAULT_DB_ALIAS) -> Path:
    """Write one archive of the database and media; return its path.

    ``output`` may be a file name, an existing folder, or a folder to make (ending in ``/``);
    by default the archive goes to ``LINJU_DATA_DIR/backups/``.
    """
    engine = engine_name(alias)
    created_at = timezone.now()
    if output is None:
        path = default_backup_path(created_at)
    else:
        path = Path(output).expanduser()
        if str(output).endswith(("/", os.sep)):
            path.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            path = default_backup_path(created_at, folder=path)
    path = path.resolve()
    if path.exists():
        raise BackupError(f"{path} already exists; choose another name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if output is None:
        path.parent.chmod(0o700)

    with tempfile.TemporaryDirectory(prefix="linju-backup-") as work:
        workdir = Path(work)
        if engine == "sqlite":
            member = SQLITE_MEMBER
            counts = _snapshot_sqlite(workdir / member, alias)
        else:
            member = PGDUMP_MEMBER
            counts = _snapshot_postgresql(workdir / member, alias)

        partial = path.with_name(f".{path.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(workdir / member, arcname=member)
                media_files = _add_media(archive)
                manifest = {
                    "format": FORMAT_NAME,
                    "format_version": FORMAT_VERSION,
                    "linju_version": linju.__version__,
                    "engine": engine,
                    "created_at": created_at.isoformat(),
                    "database": member,
                    "media_files": media_files,
                    "tables": counts,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mode = 0o600
                info.mtime = int(created_at.timestamp())
                with tempfile.SpooledTemporaryFile() as buffer:
                    buffer.write(data)
                    buffer.seek(0)
                    archive.addfile(info, buffer)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return path


# --- Restore -----------------------------------------------------------------------------------


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of an archive, checked to be one this version can restore."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read().decode())
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist.") from None
    except (tarfile.TarError, KeyError, OSError, ValueError) as exc:
        raise BackupError(f"{path} is not a Linju backup ({exc}).") from None
    if manifest.get("format") != FORMAT_NAME:
        raise BackupError(f"{path} is not a Linju backup.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is backup format {manifest.get('format_version')}; this version of Linju "
            f"reads format {FORMAT_VERSION}."
        )
    return manifest


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Only plain files and folders, inside the archive's own tree."""
    members = []
    for member in archive.getmembers():
        parts = PurePosixPath(member.name).parts
        if member.name.startswith("/") or ".." in parts or not parts:
            raise BackupError(f"Refusing an archive entry outside the archive: {member.name!r}")
        if not (member.isfile() or member.isdir()):
            raise BackupError(f"Refusing an archive entry that is not a file: {member.name!r}")
        members.append(member)
    return members


def _extract(path: Path, into: Path) -> None:
    with tarfile.open(path, "r:gz") as archive:
        members = _safe_members(archive)
        if hasattr(tarfile, "data_filter"):
            archive.extractall(into, members=members, filter="data")
        else:  # Python before 3.11.4; entries were checked above
            archive.extractall(into, members=members)  # noqa: S202


def _media_is_empty() -> bool:
    media_root = Path(settings.MEDIA_ROOT)
    return not media_root.is_dir() or not any(media_root.iterdir())


def _restore_sqlite(source: Path, alias: str) -> None:
    """Copy the archived database over the configured one with SQLite's backup API.

    The copy replaces every page (schema included) under SQLite's own locking, so no stale
    ``-wal`` file can outlive it.
    """
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("Restore outside a database transaction.")
    connection.ensure_connection()
    archived = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        archived.backup(connection.connection)
    finally:
        archived.close()


def _restore_postgresql(source: Path, alias: str) -> None:
    connections[alias].close()
    args, env = _pg_command_env(alias)
    _run_pg_tool(
        [
            "pg_restore",
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            str(source),
        ],
        env,
    )


def _restore_media(source: Path) -> None:
    """Put the archived media folder in place of ``MEDIA_ROOT`` (renamed in, not merged)."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".media-restore-", dir=media_root.parent))
    incoming, old = staging / "media", staging / "old"
    try:
        if source.is_dir():
            shutil.copytree(source, incoming)
        else:
            incoming.mkdir()
        if media_root.exists():
            os.replace(media_root, old)
        os.replace(incoming, media_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _unpacked(path: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="linju-restore-") as work:
        _extract(path, Path(work))
        yield Path(work)


def restore_backup(
    path: str | Path, *, force: bool = False, alias: str = DEFAULT_DB_ALIAS
) -> RestoreResult:
    """Bring an archive back into the configured database and ``MEDIA_ROOT``.

    Refuses to overwrite a database that holds data, or media files, unless ``force``.
    Returns the row counts the manifest expects and those found after the restore.
    """
    path = Path(path).expanduser().resolve()
    manifest = read_manifest(path)
    engine = engine_name(alias)
    if manifest.get("engine") != engine:
        raise BackupError(
            f"This backup is of a {manifest.get('engine')} database, but Linju is configured "
            f"for {engine}. Restore it into the same kind of database."
        )
    if not force:
        if not database_is_empty(alias):
            raise BackupError(
                "The configured database already holds data. Restore into an empty database, "
                "or pass --force to replace what is there."
            )
        if not _media_is_empty():
            raise BackupError(
                f"{settings.MEDIA_ROOT} already holds files. Restore into an empty data folder, "
                "or pass --force to replace them."
            )

    with _unpacked(path) as work:
        database = work / manifest["database"]
        if not database.is_file():
            raise BackupError(f"{path} has no {manifest['database']}.")
        if engine == "sqlite":
            _restore_sqlite(database, alias)
        else:
            _restore_postgresql(database, alias)
        _restore_media(work / MEDIA_MEMBER)

    expected = {str(k): int(v) for k, v in manifest["tables"].items()}
    actual = table_counts(alias)
    return RestoreResult(manifest=manifest, expected=expected, actual=actual)
