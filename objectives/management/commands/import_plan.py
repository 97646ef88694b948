"""manage.py import_plan FILE --plan 2024/25 [--dry-run] [--user NAME] [--sheet KIND=NAME]: a plan
from CSV or XLSX.

Prints the same preview as the web page: counts per sheet, every problem, what is worth knowing
and the plan's objectives the file leaves out. Exits non-zero, importing nothing, when the file
has problems. Creates the plan (draft) when it doesn't exist. The plan may be written 2024/25,
2024-25, 24/25 or 2024 to 2025. When two sheets could be the same kind, `--sheet
"Objectives=Plan 24-25"` says which to read. With --user, that person's directorates limit what
the import may change, as on the web page.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from objectives.audit import audit
from objectives.importing import plan_import


class Command(BaseCommand):
    help = "Import a business plan from a CSV or XLSX file, with a preview of every change."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx or .csv file (its content decides which)")
        parser.add_argument("--plan", required=True, help="Financial year, e.g. 2024/25")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; change nothing"
        )
        parser.add_argument(
            "--sheet",
            action="append",
            default=[],
            metavar="KIND=NAME",
            help="Which sheet to read as Objectives, Milestones or Measures, e.g. "
            '"Objectives=Plan 24-25" (repeat for each)',
        )
        parser.add_argument(
            "--user",
            help="User name that initial ratings are recorded as (default: the first admin)",
        )

    def handle(self, *args, file, plan, dry_run, user, sheet, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Can't read {file}: {error.strerror}") from None
        author = self._author(user)
        chosen = {}
        for choice in sheet:
            kind, equals, title = choice.partition("=")
            if not equals or kind.strip() not in ("Objectives", "Milestones", "Measures"):
                raise CommandError(
                    f"--sheet '{choice}': use Objectives=NAME, Milestones=NAME or Measures=NAME."
                )
            chosen[kind.strip()] = title.strip()
        preview = plan_import.import_plan(
            data, plan_label=plan, user=author, name=path.name, dry_run=dry_run, chosen=chosen
        )
        if preview.refusal:
            raise CommandError(preview.refusal)
        for sheet in preview.sheets.values():
            self.stdout.write(plan_import.sheet_line(sheet))
        for notice in preview.notices:
            self.stdout.write(f"Note: {notice}")
        if preview.missing:
            self.stdout.write(
                f"{len(preview.missing)} objectives in plan {plan} are not in the file; they are "
                "kept: " + ", ".join(ref for ref, _ in preview.missing)
            )
        if preview.problems:
            for problem in preview.problems:
                self.stderr.write(problem.message)
            for kind, titles in preview.sheet_choices.items():
                listed = ", ".join(f'"{kind}={title}"' for title in titles)
                self.stderr.write(f"Choose the {kind} sheet with --sheet: one of {listed}.")
            raise CommandError(
                f"{len(preview.problems)} problem{'s' if len(preview.problems) != 1 else ''} in "
                f"{path.name}; nothing was imported."
            )
        if dry_run:
            self.stdout.write(f"Dry run, nothing changed. Would be: {preview.summary}.")
        else:
            audit(
                "plan_import",
                user=author or "manage.py import_plan",
                obj=preview.plan,
                outcome="imported",
                file=path.name,
            )
            self.stdout.write(
                self.style.SUCCESS(f"Imported into plan {preview.plan.label}: {preview.summary}.")
            )

    def _author(self, username):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            try:
                return users.get(username=username)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No active user called '{username}'.") from None
        return users.filter(is_superuser=True).order_by("pk").first()
