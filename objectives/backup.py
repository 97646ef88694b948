"""Back up and restore the whole database, whichever engine it is.

SQLite: SQLite's online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot while
the app keeps running, and restores by copying a backup back over the live database in one step.
PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --single-transaction`, with the
connection details from settings.DATABASES, so a restore either completes or changes nothing.

Backups are written to a temporary file beside the target and renamed into place when complete, so
a backup file is never half-written.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


def engine(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def backup(out: Path, *, using: str = "default") -> int:
    """Write a backup of database `using` to `out`; returns its size in bytes."""
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if engine(using) == "sqlite":
            _sqlite_backup(partial, using)
        else:
            _pg_dump(partial, using)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out.stat().st_size


def restore(source: Path, *, using: str = "default") -> None:
    """Replace everything in database `using` with the backup in `source`."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    with source.open("rb") as file:
        header = file.read(len(SQLITE_MAGIC))
    if engine(using) == "sqlite":
        if not header.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not a SQLite backup.")
        _sqlite_restore(source, using)
    else:
        if not header.startswith(PG_CUSTOM_MAGIC):
            raise BackupError(f"{source} is not a PostgreSQL backup made by backup_db (pg_dump).")
        _pg_restore(source, using)


# --- SQLite ---------------------------------------------------------------------------------------


def _raw_sqlite(using: str) -> sqlite3.Connection:
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("Back up or restore outside a transaction.")
    connection.ensure_connection()
    return connection.connection


def _sqlite_backup(target: Path, using: str) -> None:
    destination = sqlite3.connect(target)
    try:
        _raw_sqlite(using).backup(destination)
    finally:
        destination.close()


def _sqlite_restore(source: Path, using: str) -> None:
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        (result,) = backup_db.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"{source} is damaged: {result}")
        # Copies every page over the live database under one lock: readers see all of the old
        # data or all of the restored data.
        backup_db.backup(_raw_sqlite(using))
    finally:
        backup_db.close()


# --- PostgreSQL -----------------------------------------------------------------------------------


def _pg_command(program: str, using: str) -> tuple[list[str], dict]:
    path = shutil.which(program)
    if path is None:
        raise BackupError(
            f"{program} is not installed: install the PostgreSQL client tools (postgresql-client)."
        )
    settings = connections[using].settings_dict
    args = [path, "--no-password"]
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")


def _pg_dump(target: Path, using: str) -> None:
    args, env = _pg_command("pg_dump", using)
    name = connections[using].settings_dict["NAME"]
    _run([*args, "--format=custom", "--file", str(target), "--dbname", name], env)


def _pg_restore(source: Path, using: str) -> None:
    args, env = _pg_command("pg_restore", using)
    connection = connections[using]
    # Our own idle connection would otherwise hold nothing, but close it so no stale cursor or
    # prepared statement outlives the tables it refers to.
    connection.close()
    _run(
        [
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            connection.settings_dict["NAME"],
            str(source),
        ],
        env,
    )
