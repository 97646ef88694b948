from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from objectives import backup


class Command(BaseCommand):
    help = (
        "Back up the whole database to a file while the app runs: SQLite's online backup API, or "
        "pg_dump (custom format) on PostgreSQL. Restore with restore_db."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="File to write, e.g. backups/2024-11-15.db")
        parser.add_argument("--database", default="default")

    def handle(self, *args, out, database, **options):
        try:
            size = backup.backup(out, using=database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        name = connections[database].settings_dict["NAME"]
        self.stdout.write(
            f"Backed up {backup.engine(database)} database {name} to {out} ({size:,} bytes)."
        )
