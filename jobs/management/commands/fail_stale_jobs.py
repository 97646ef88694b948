from django.conf import settings
from django.core.management.base import BaseCommand

from jobs import stale


class Command(BaseCommand):
    help = (
        "Mark failed every background job still running JOB_STALE_MINUTES after it started (its "
        "worker died), so nothing looks 'running' for ever. Run it every few minutes."
    )

    def handle(self, *args, **options):
        count = stale.fail_stale()
        self.stdout.write(
            f"Marked {count} job{'s' if count != 1 else ''} failed "
            f"(running more than {settings.JOB_STALE_MINUTES} minutes)."
        )
