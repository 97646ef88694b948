"""Names in a spreadsheet -> rows in the database: teams, owners and objective refs.

Each index is built from one query and then answers per cell from memory, so a 5,000-row file
costs the same few queries as a 5-row one. Teams forgive case and spacing, and a near miss gets a
suggestion (difflib, 75% alike); owners are found by email address (ignoring case) or user name.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.functions import Lower

from objectives.models import Team

from .parsing import ValueProblem, text_value


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


class TeamIndex:
    """Team names, forgiving case and spacing; near misses get a suggestion."""

    def __init__(self, teams):
        self.by_key = {_fold(team.name): team for team in teams}

    def find(self, name: str) -> Team:
        team = self.by_key.get(_fold(name))
        if team is not None:
            return team
        close = difflib.get_close_matches(_fold(name), self.by_key, n=1, cutoff=0.75)
        if close:
            raise ValueProblem(f"— did you mean '{self.by_key[close[0]].name}'?")
        raise ValueProblem(
            "is not a team in this service; use a team name as listed on the template's "
            "Read me sheet"
        )

    def split(self, text: str) -> list[Team] | None:
        """'Digital, Data and Policy' -> those three teams, when every part is a known team
        (separated by ',', '/' or ' and '); None otherwise."""
        parts = _TEAM_SEPARATOR.split(text.strip())
        if len(parts) < 3:
            return None
        return _segment(parts, self.by_key)

    def unknown_parts(self, text: str) -> list[str]:
        """For a cell that looks like several teams, the parts that are no team; else []."""
        parts = _TEAM_SEPARATOR.split(text.strip())[::2]
        if len(parts) < 2:
            return []
        return [part for part in parts if part and _fold(part) not in self.by_key]


# Between team names in one cell: a comma, a slash or the word "and".
_TEAM_SEPARATOR = re.compile(r"(\s*,\s*|\s*/\s*|\s+and\s+)", re.IGNORECASE)


def _segment(parts: list[str], index: dict[str, Team]) -> list[Team] | None:
    """parts alternate text and separator; group them so that every group is a known team,
    longest names first ("Urgent and emergency care" before "Urgent"); None when none fits."""
    if not parts:
        return []
    for end in range(len(parts), 0, -2):
        team = index.get(_fold("".join(parts[:end])))
        if team is not None:
            rest = _segment(parts[end + 1 :], index)
            if rest is not None:
                return [team, *rest]
    return None


class PeopleIndex:
    """Owners by email address (ignoring case) or by user name."""

    def __init__(self, wanted: set[str]):
        user_model = get_user_model()
        emails = {w.casefold() for w in wanted if "@" in w}
        names = {w for w in wanted if "@" not in w}
        self.by_email: dict[str, list] = defaultdict(list)
        self.by_username = {}
        if not wanted:
            return
        # Deactivated people count too: an objective may keep the owner who has since left, and
        # an export of it must import again unchanged.
        users = user_model.objects.annotate(email_folded=Lower("email")).filter(
            Q(email_folded__in=emails) | Q(username__in=names)
        )
        for user in users:
            if user.email:
                self.by_email[user.email.casefold()].append(user)
            self.by_username[user.username] = user

    def find(self, value):
        text = text_value(value)
        if "@" in text:
            matches = self.by_email.get(text.casefold(), [])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise ValueProblem(
                    f"is the email address of {len(matches)} people; give the user name of the "
                    "one you mean instead"
                )
            raise ValueProblem(
                "is not the email address of anyone who uses this service; check the spelling "
                "or leave it empty"
            )
        user = self.by_username.get(text)
        if user is None:
            raise ValueProblem(
                "is not an email address or user name of anyone who uses this service; check "
                "the spelling or leave it empty"
            )
        return user


def owner_identifier(user, shared_emails: set[str]) -> str:
    """What the export writes for an owner: the email, or the user name when the email is not
    unique (or missing), so that importing the export finds the same person."""
    if user is None:
        return ""
    if user.email and user.email.casefold() not in shared_emails:
        return user.email
    return user.username


def shared_email_addresses() -> set[str]:
    rows = (
        get_user_model()
        .objects.exclude(email="")
        .annotate(folded=Lower("email"))
        .values("folded")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    return {row["folded"] for row in rows}


class RefIndex:
    """Refs, exact first, then ignoring case."""

    def __init__(self, refs):
        self.exact = {}
        self.folded = {}
        for ref in refs:
            self.add(ref)

    def add(self, ref: str) -> None:
        self.exact.setdefault(ref, ref)
        self.folded.setdefault(ref.casefold(), ref)

    def find(self, ref: str) -> str | None:
        return self.exact.get(ref) or self.folded.get(ref.casefold())
