"""The people import's writes, in the order their rows depend on each other: directorates, teams,
people, then memberships and directorships. Called inside accounts.people_import's transaction,
with writes from a preview that had no problems."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model

from objectives.models import Directorate, Directorship, Membership, Objective, Team
from objectives.signals import announce_change


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def split_name(name: str) -> tuple[str, str]:
    first, _, last = name.rpartition(" ")
    return (first, last) if first else (last, "")


def directorate_code(name: str, taken: set[str]) -> str:
    """'Digital Services' -> 'DS'; 'Nursing' -> 'NURSING'; then DS2, DS3 … when taken."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    base = ("".join(w[0] for w in words) if len(words) > 1 else "".join(words))[:10].upper()
    base = base or "DIR"
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}{number}"
    taken.add(code)
    return code


def write(writes) -> None:
    """Carry out a checked preview's writes (accounts.people_import.Writes)."""
    User = get_user_model()
    taken = set(Directorate.objects.values_list("code", flat=True))
    directorates = {fold(d.name): d for d in Directorate.objects.all()}
    for name in writes.directorates:
        directorates[fold(name)] = Directorate.objects.create(
            name=name, code=directorate_code(name, taken)
        )
    teams = {fold(t.name): t for t in Team.objects.all()}
    for team_name, directorate in writes.teams:
        teams[fold(team_name)] = Team.objects.create(
            name=team_name, directorate=directorates[fold(directorate)]
        )
    changed_teams = set()
    for team, directorate in writes.moves:
        team.directorate = directorates[fold(directorate)]
        team.save(update_fields=["directorate"])
        changed_teams.add(team.pk)
    new_people = []
    for entry in writes.people:
        first, last = split_name(entry.name)
        user = User(username=entry.key, email=entry.email, first_name=first, last_name=last)
        user.set_unusable_password()  # they sign in with their organisation account
        new_people.append(user)
    User.objects.bulk_create(new_people)
    for user, name in writes.renames:
        user.first_name, user.last_name = split_name(name)
        user.save(update_fields=["first_name", "last_name"])
    User.objects.filter(pk__in=[u.pk for u in writes.returning]).update(is_active=True)
    User.objects.filter(pk__in=[u.pk for u in writes.leaving]).update(is_active=False)
    users = {}
    for user in User.objects.order_by("pk"):  # the preview refused emails shared by two users
        users.setdefault(user.email.lower(), user)
    Membership.objects.bulk_create(
        Membership(user=users[key], team=teams[fold(team_name)], role=role)
        for key, team_name, role in writes.joins
    )
    changed_teams |= {teams[fold(team_name)].pk for _, team_name, _ in writes.joins}
    for membership, role in writes.role_changes:
        membership.role = role
        membership.save(update_fields=["role"])
        changed_teams.add(membership.team_id)
    changed_teams |= {membership.team_id for membership in writes.memberships_ended}
    Membership.objects.filter(pk__in=[m.pk for m in writes.memberships_ended]).delete()
    Directorship.objects.bulk_create(
        Directorship(user=users[key], directorate=directorates.get(scope))
        for key, scope in writes.directorships
    )
    Directorship.objects.filter(pk__in=[d.pk for d in writes.directorships_ended]).delete()
    # A team's lead and directorate feed the at-risk rules (ownership gap, who oversees it).
    announce_change(
        Objective.objects.filter(contributions__team__in=changed_teams)
        .values_list("pk", flat=True)
        .distinct()
    )
