"""The app's idea of "today". Rules read the date once, from here.

Setting `TODAY` (env `TODAY=2024-11-15`) pins the date for demos and training sessions, so the
demo organisation's 2024/25 plan reads as a live year. Unset, it is the real date in Europe/London.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    pinned = getattr(settings, "TODAY", None)
    if pinned:
        return pinned
    return timezone.localdate()


def now() -> dt.datetime:
    pinned = getattr(settings, "TODAY", None)
    real = timezone.localtime()
    if pinned:
        return real.replace(year=pinned.year, month=pinned.month, day=pinned.day)
    return real
