from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from objectives import backup


class Command(BaseCommand):
    help = (
        "Replace everything in the database with a backup made by backup_db. Stop the app servers "
        "first; they may be started again as soon as this finishes."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="Backup file written by backup_db")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, source, database, interactive, **options):
        name = connections[database].settings_dict["NAME"]
        if interactive:
            answer = input(
                f"This replaces everything in database {name} with {source}.\n"
                "Type 'yes' to continue, or anything else to stop: "
            )
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            backup.restore(source, using=database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored database {name} from {source}.")
