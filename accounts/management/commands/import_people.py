"""manage.py import_people FILE [--full] [--dry-run]: teams and people from a staff directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.people_import import build_preview, import_people
from objectives.audit import audit

SHOWN_LINES = 20  # per heading; the counts are always complete


class Command(BaseCommand):
    help = (
        "Create and update teams, directorates and people from a staff-directory export (CSV or "
        "XLSX: name, email, team, role, directorate, director of). Nothing is written when any "
        "row has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--full",
            action="store_true",
            help="The file is the whole directory: switch off anyone not in it (never deleted; "
            "superusers are kept).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )

    def handle(self, *args, file: Path, full: bool, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        build = build_preview if dry_run else import_people
        preview = build(data, full=full, name=file.name)
        if preview.file_error:
            raise CommandError(preview.file_error)
        for note in preview.notes:
            self.stdout.write(f"Note: {note}")
        if preview.problems:
            for problem in preview.problems:
                self.stderr.write(problem.message)
            raise CommandError(
                f"{len(preview.problems)} problem(s) in {file.name}; nothing was imported."
            )
        for heading, lines in preview.changes.items():
            if not lines:
                continue
            self.stdout.write(f"{heading} ({len(lines)}):")
            for line in lines[:SHOWN_LINES]:
                self.stdout.write(f"  {line}")
            if len(lines) > SHOWN_LINES:
                self.stdout.write(f"  … and {len(lines) - SHOWN_LINES} more")
        if dry_run:
            self.stdout.write(f"Dry run: {preview.summary}. Nothing was written.")
            return
        audit(
            "people_import",
            user="manage.py",
            outcome="imported",
            file=file.name,
            full=full,
            summary=preview.summary,
        )
        self.stdout.write(self.style.SUCCESS(f"Imported {file.name}: {preview.summary}."))
