"""A staff-directory file between its preview and its confirmation (accounts/admin.py).

Kept in the database, not on a local disk, so whichever app server shows the preview or takes
the confirmation can read it. Deleted when confirmed, and after a day.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class DirectoryUpload(models.Model):
    KEEP = dt.timedelta(days=1)

    token = models.CharField(max_length=48, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(max_length=120)
    data = models.BinaryField()
    full = models.BooleanField(default=False, help_text="The file is the whole directory")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "staff-directory import"

    def __str__(self):
        return self.file_name

    @classmethod
    def sweep(cls) -> None:
        cls.objects.filter(created_at__lt=timezone.now() - cls.KEEP).delete()
