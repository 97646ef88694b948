import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from objectives import clock
from reviews.models import CollaborationDay
from reviews.pdf import FontMissing, build_pack


class Command(BaseCommand):
    help = "Build a collaboration day's review pack as a PDF: build_pack DAY -o FILE.pdf"

    def add_arguments(self, parser):
        parser.add_argument("day", type=int, help="The collaboration day's id")
        parser.add_argument("-o", "--output", required=True, help="Where to write the PDF")
        parser.add_argument(
            "--as-at",
            help="Read the data as at this moment (ISO, e.g. 2024-11-15T09:00); default now. "
            "The same data and --as-at give a byte-identical PDF.",
        )

    def handle(self, *args, day, output, as_at, **options):
        collaboration_day = CollaborationDay.objects.filter(pk=day).first()
        if collaboration_day is None:
            raise CommandError(f"There is no collaboration day with id {day}.")
        if as_at:
            try:
                moment = dt.datetime.fromisoformat(as_at)
            except ValueError:
                raise CommandError(
                    f"--as-at must be a date and time like 2024-11-15T09:00, not {as_at!r}"
                ) from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        else:
            moment = clock.now().replace(second=0, microsecond=0)
        try:
            data = build_pack(collaboration_day, as_at=moment)
        except FontMissing as error:
            raise CommandError(str(error)) from None
        path = Path(output)
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Could not write {path}: {error.strerror}") from None
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {path} ({len(data):,} bytes) for {collaboration_day}.")
        )
