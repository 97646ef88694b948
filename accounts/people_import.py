"""Teams and people from a staff-directory export: a preview of every change, then one atomic write.

One row is one person in one team: name, email, team, role in team (lead, deputy or member;
empty means member), the team's directorate, and the directorates the person is director of
(separated by ';'; "whole organisation" for an organisation-wide director). A person in three
teams has three rows. Only name and email are required; a column the file does not have is left
alone (no director_of column: directorships are not touched).

What the file says is the truth for everyone it names: their name, their teams and roles (a
membership the file doesn't list for them ends) and their directorships. Directorates and teams
it names are created as needed; a team whose directorate changed moves. People are matched by
email without regard to case; a new person gets an account with no password (they sign in with
their organisation account) and their email as user name. A *full* import (`--full`, or the
admin page's tick box) is the whole directory: anyone not in it is a leaver, switched off and
taken out of their teams, never deleted, so their updates still show their name. Superusers are
never switched off this way (the break-glass administrator is rarely in the directory).

Running the same file twice changes nothing the second time. `build_preview` changes nothing;
`import_people` rebuilds the preview inside a transaction and writes it only when it has no
problems, so what is written is what was just checked against the database as it is then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from objectives.importing.parsing import Unreadable, display, text_value
from objectives.importing.problems import Problem
from objectives.models import Directorate, Directorship, Membership, Role, Team

from .people_reading import UnreadableFile, read_directory
from .people_writing import fold, write

SHEET = "People"
ROLES = {"lead": Role.LEAD, "team lead": Role.LEAD, "deputy": Role.DEPUTY}
ROLES |= {"deputy lead": Role.DEPUTY, "member": Role.MEMBER, "": Role.MEMBER}
WHOLE_ORGANISATION = {"whole organisation", "whole organization", "all", "organisation"}
# Text a spreadsheet would run as a formula when the data is exported again.
FORMULA_START = ("=", "+", "@")
HEADINGS = (
    "New directorates",
    "New teams",
    "Teams moving directorate",
    "New people",
    "Names changed",
    "People returning",
    "People leaving",
    "Joining a team",
    "Changing role",
    "Leaving a team",
    "Becoming a director",
    "No longer a director",
)


@dataclass(frozen=True)
class Entry:
    row: int
    name: str
    email: str
    team: str
    role: str
    directorate: str
    director_of: tuple[str, ...]  # directorate names; "" for the whole organisation

    @property
    def key(self) -> str:
        return self.email.lower()


@dataclass
class Writes:
    directorates: list[str] = field(default_factory=list)
    teams: list[tuple[str, str]] = field(default_factory=list)  # (team, directorate)
    moves: list[tuple[Team, str]] = field(default_factory=list)
    people: list[Entry] = field(default_factory=list)
    renames: list[tuple[object, str]] = field(default_factory=list)
    returning: list = field(default_factory=list)
    leaving: list = field(default_factory=list)
    joins: list[tuple[str, str, str]] = field(default_factory=list)  # (email key, team, role)
    role_changes: list[tuple[Membership, str]] = field(default_factory=list)
    memberships_ended: list[Membership] = field(default_factory=list)
    directorships: list[tuple[str, str]] = field(default_factory=list)  # (email key, dir or "")
    directorships_ended: list[Directorship] = field(default_factory=list)


@dataclass
class Preview:
    file_name: str
    full: bool
    file_error: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=lambda: {h: [] for h in HEADINGS})
    people_in_file: int = 0
    writes: Writes = field(default_factory=Writes)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.problems

    @property
    def change_count(self) -> int:
        return sum(len(lines) for lines in self.changes.values())

    @property
    def summary(self) -> str:
        counts = [f"{heading.lower()}: {len(lines)}" for heading, lines in self.changes.items()]
        shown = [count for count in counts if not count.endswith(": 0")]
        return "; ".join(shown) if shown else "nothing to change"

    def change(self, heading: str, line: str) -> None:
        self.changes[heading].append(line)

    def problem(self, row: int, column: str, value, expected: str) -> None:
        shown = display(value) if value not in (None, "") else None
        self.problems.append(Problem(SHEET, row, column, shown, expected))


def build_preview(data: bytes, *, full: bool = False, name: str = "The file") -> Preview:
    preview = Preview(file_name=name, full=full)
    try:
        table = read_directory(data, name=name)
    except UnreadableFile as error:
        preview.file_error = str(error)
        return preview
    if table.ignored_headers:
        preview.notes.append("Columns not read: " + ", ".join(table.ignored_headers) + ".")
    entries = [entry for entry in (_entry(preview, n, c) for n, c in table.rows) if entry]
    _check_rows(preview, entries)
    if preview.ok:
        _Planner(preview, entries, table.columns).plan()
    return preview


def _entry(preview: Preview, number: int, cells: dict) -> Entry | None:
    bad = False
    texts = {}
    for key, value in cells.items():
        if isinstance(value, Unreadable):
            preview.problem(number, key, value.shown, value.expected)
            return None  # its other cells may well be fine, but this row can't be used
        text = " ".join(text_value(value).split())
        if text.startswith(FORMULA_START):
            preview.problem(number, key, text, "looks like a spreadsheet formula; type the value")
            bad = True
        texts[key] = text
    name, email = texts.get("name", ""), texts.get("email", "")
    team, role = texts.get("team", ""), fold(texts.get("role", ""))
    if not name:
        preview.problem(number, "name", None, "is empty; give the person's full name")
        bad = True
    elif len(name) > 150:
        preview.problem(number, "name", name, "is longer than 150 characters")
        bad = True
    try:
        validate_email(email)
    except ValidationError:
        expected = "is not an email address" if email else "is empty; give their work email"
        preview.problem(number, "email", email, expected)
        bad = True
    if role not in ROLES:
        preview.problem(number, "role", texts["role"], "is not a role; use lead, deputy or member")
        bad = True
    elif role and not team:
        preview.problem(number, "role", texts["role"], "needs a team; fill in the team column")
        bad = True
    for key in ("team", "directorate"):
        if len(texts.get(key, "")) > 120:
            preview.problem(number, key, texts[key], "is longer than 120 characters")
            bad = True
    directs = [part.strip() for part in texts.get("director_of", "").split(";") if part.strip()]
    if bad:
        return None
    return Entry(
        row=number,
        name=name,
        email=email,
        team=team,
        role=ROLES[role] if team else "",
        directorate=texts.get("directorate", ""),
        director_of=tuple("" if fold(d) in WHOLE_ORGANISATION else d for d in directs),
    )


def _check_rows(preview: Preview, entries: list[Entry]) -> None:
    """What one row can't show: duplicates and disagreements between rows."""
    first_row_of: dict[str, Entry] = {}
    team_rows: dict[tuple[str, str], int] = {}
    directorate_of: dict[str, Entry] = {}
    led: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        first = first_row_of.setdefault(entry.key, entry)
        if first.name != entry.name:
            preview.problem(
                entry.row,
                "name",
                entry.name,
                f"differs from row {first.row} ('{first.name}') for {entry.email}; use one name",
            )
        if entry.team:
            seen = team_rows.setdefault((entry.key, fold(entry.team)), entry.row)
            if seen != entry.row:
                preview.problem(
                    entry.row,
                    "email",
                    entry.email,
                    f"is listed twice for team {entry.team} (rows {seen} and {entry.row}); "
                    "keep one row",
                )
            if entry.role == Role.LEAD:
                led[entry.key].append(entry.team)
        if entry.team and entry.directorate:
            other = directorate_of.setdefault(fold(entry.team), entry)
            if fold(other.directorate) != fold(entry.directorate):
                preview.problem(
                    entry.row,
                    "directorate",
                    entry.directorate,
                    f"differs from row {other.row}, which puts {entry.team} in "
                    f"{other.directorate}; a team is in one directorate",
                )
    for key, teams in led.items():
        if len(teams) > 1:
            preview.notes.append(
                f"{first_row_of[key].name} leads {len(teams)} teams: {', '.join(teams)} (allowed)."
            )


class _Planner:
    """Compares the rows with the database and fills the preview's changes and writes."""

    def __init__(self, preview: Preview, entries: list[Entry], columns: set[str]):
        self.preview, self.entries, self.columns = preview, entries, columns
        self.writes = preview.writes
        User = get_user_model()
        self.users_by_email = defaultdict(list)
        for user in User.objects.order_by("pk"):
            self.users_by_email[user.email.lower()].append(user)
        self.usernames = {
            u.username.lower() for users in self.users_by_email.values() for u in users
        }
        self.directorates = {fold(d.name): d for d in Directorate.objects.all()}
        self.teams = {fold(t.name): t for t in Team.objects.select_related("directorate")}

    def plan(self) -> None:
        people = {}
        for entry in self.entries:
            people.setdefault(entry.key, entry)
        self.preview.people_in_file = len(people)
        self._directorates_and_teams()
        if not self.preview.ok:
            return
        matched = {}
        for key, entry in people.items():
            user = self._person(entry)
            if user is not False:
                matched[key] = user
        if not self.preview.ok:
            return
        if "team" in self.columns:
            self._memberships(people, matched)
        if "director_of" in self.columns:
            self._directorships(people, matched)
        if self.preview.full:
            self._leavers(people)

    def _directorates_and_teams(self) -> None:
        named = {fold(e.directorate): e.directorate for e in self.entries if e.directorate}
        for key, name in named.items():
            if key not in self.directorates:
                self.writes.directorates.append(name)
                self.preview.change("New directorates", name)
        known = set(self.directorates) | set(named)
        for entry in self.entries:
            for directorate in entry.director_of:
                if directorate and fold(directorate) not in known:
                    self.preview.problem(
                        entry.row,
                        "director_of",
                        directorate,
                        "is not a directorate here or in this file's directorate column",
                    )
        directorate_of = {}  # team key -> the directorate its rows name (they agree)
        for entry in self.entries:
            if entry.team and entry.directorate:
                directorate_of.setdefault(fold(entry.team), entry.directorate)
        placed = set()
        for entry in self.entries:
            key = fold(entry.team)
            if not entry.team or key in placed:
                continue
            team = self.teams.get(key)
            directorate = directorate_of.get(key, "")
            if team is None and not directorate:
                self.preview.problem(
                    entry.row, "team", entry.team, "is a new team; give its directorate"
                )
            elif team is None:
                self.writes.teams.append((entry.team, directorate))
                self.preview.change("New teams", f"{entry.team} in {directorate}")
            elif directorate and fold(team.directorate.name) != fold(directorate):
                self.writes.moves.append((team, directorate))
                self.preview.change(
                    "Teams moving directorate",
                    f"{team.name}: from {team.directorate.name} to {directorate}",
                )
            placed.add(key)

    def _person(self, entry: Entry):
        """The existing user (None for a new person), or False after a problem."""
        users = self.users_by_email.get(entry.key, [])
        if len(users) > 1:
            names = ", ".join(user.username for user in users)
            self.preview.problem(
                entry.row, "email", entry.email, f"belongs to more than one account ({names})"
            )
            return False
        if not users:
            if entry.key in self.usernames:
                self.preview.problem(
                    entry.row,
                    "email",
                    entry.email,
                    "is already the user name of an account with another email address",
                )
                return False
            self.writes.people.append(entry)
            self.preview.change("New people", f"{entry.name} ({entry.email})")
            return None
        user = users[0]
        if user.get_full_name() != entry.name:
            self.writes.renames.append((user, entry.name))
            self.preview.change(
                "Names changed", f"{user.get_full_name() or user.username} → {entry.name}"
            )
        if not user.is_active:
            self.writes.returning.append(user)
            self.preview.change("People returning", f"{entry.name} ({entry.email})")
        return user

    def _memberships(self, people: dict[str, Entry], matched: dict) -> None:
        wanted = defaultdict(dict)  # email key -> team key -> (team name, role)
        for entry in self.entries:
            if entry.team:
                wanted[entry.key][fold(entry.team)] = (entry.team, entry.role)
        existing = defaultdict(dict)
        users = [user for user in matched.values() if user is not None]
        for membership in Membership.objects.filter(user__in=users).select_related("team"):
            existing[membership.user_id][fold(membership.team.name)] = membership
        for key, entry in people.items():
            user = matched[key]
            current = existing.get(user.pk, {}) if user is not None else {}
            for team_key, (team_name, role) in wanted[key].items():
                membership = current.get(team_key)
                label = Role(role).label.lower()
                if membership is None:
                    self.writes.joins.append((key, team_name, role))
                    self.preview.change("Joining a team", f"{entry.name}: {team_name} as {label}")
                elif membership.role != role:
                    self.writes.role_changes.append((membership, role))
                    self.preview.change(
                        "Changing role",
                        f"{entry.name}: {membership.get_role_display().lower()} → {label} "
                        f"in {membership.team.name}",
                    )
            for team_key, membership in current.items():
                if team_key not in wanted[key]:
                    self._end_membership(membership, entry.name)

    def _end_membership(self, membership: Membership, name: str) -> None:
        self.writes.memberships_ended.append(membership)
        self.preview.change("Leaving a team", f"{name}: {membership.team.name}")

    def _directorships(self, people: dict[str, Entry], matched: dict) -> None:
        wanted = defaultdict(dict)  # email key -> directorate key ("" = organisation) -> name
        for entry in self.entries:
            for directorate in entry.director_of:
                wanted[entry.key][fold(directorate)] = directorate or "the whole organisation"
        existing = defaultdict(dict)
        users = [user for user in matched.values() if user is not None]
        for directorship in Directorship.objects.filter(user__in=users).select_related(
            "directorate"
        ):
            scope = fold(directorship.directorate.name) if directorship.directorate else ""
            existing[directorship.user_id][scope] = directorship
        for key, entry in people.items():
            user = matched[key]
            current = existing.get(user.pk, {}) if user is not None else {}
            for scope, label in wanted[key].items():
                if scope not in current:
                    self.writes.directorships.append((key, scope))
                    self.preview.change("Becoming a director", f"{entry.name}: {label}")
            for scope, directorship in current.items():
                if scope not in wanted[key]:
                    self._end_directorship(directorship, entry.name)

    def _end_directorship(self, directorship: Directorship, name: str) -> None:
        self.writes.directorships_ended.append(directorship)
        label = directorship.directorate.name if directorship.directorate else "the organisation"
        self.preview.change("No longer a director", f"{name}: {label}")

    def _leavers(self, people: dict[str, Entry]) -> None:
        leaving = [
            user
            for key, users in self.users_by_email.items()
            if key not in people
            for user in users
            if user.is_active and not user.is_superuser
        ]
        if not leaving:
            return
        memberships = Membership.objects.filter(user__in=leaving).select_related("team", "user")
        directorships = Directorship.objects.filter(user__in=leaving).select_related(
            "directorate", "user"
        )
        for user in sorted(leaving, key=lambda u: (u.get_full_name() or u.username).casefold()):
            self.writes.leaving.append(user)
            name = user.get_full_name() or user.username
            who = f"{name} ({user.email})" if user.email else name
            self.preview.change("People leaving", f"{who}: switched off, history kept")
        for membership in memberships:
            self._end_membership(membership, membership.user.get_full_name())
        for directorship in directorships:
            self._end_directorship(directorship, directorship.user.get_full_name())


def import_people(data: bytes, *, full: bool = False, name: str = "The file") -> Preview:
    """Check the file against the database and, when it has no problems, write it: all or
    nothing."""
    with transaction.atomic():
        preview = build_preview(data, full=full, name=name)
        if preview.ok:
            write(preview.writes)
            preview.applied = True
    return preview
