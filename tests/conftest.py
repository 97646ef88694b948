"""Shared fixtures: a cast of users around two teams in two directorates."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from objectives.models import Role
from tests.factories import (
    DirectorateFactory,
    DirectorshipFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamFactory,
    UserFactory,
    make_plan,
)


@dataclass
class Cast:
    directorate_a: object
    directorate_b: object
    team_a: object
    team_b: object
    plan: object
    objective_a: object  # led by team A, single-team
    objective_b: object  # led by team B, single-team
    lead_a: object
    lead_b: object
    member_a: object
    director_a: object
    director_elsewhere: object
    org_director: object
    admin: object
    outsider: object  # signed in, no team, no directorship
    anonymous: object

    def users(self):
        return {
            "lead_a": self.lead_a,
            "lead_b": self.lead_b,
            "member_a": self.member_a,
            "director_a": self.director_a,
            "director_elsewhere": self.director_elsewhere,
            "org_director": self.org_director,
            "admin": self.admin,
            "outsider": self.outsider,
            "anonymous": self.anonymous,
        }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests only need passwords to check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db):
    directorate_a = DirectorateFactory(name="Digital", code="DIG")
    directorate_b = DirectorateFactory(name="Operations", code="OPS")
    team_a = TeamFactory(name="NHS 111 online", directorate=directorate_a)
    team_b = TeamFactory(name="Ambulance flow", directorate=directorate_b)
    plan = make_plan(2024)
    lead_a = MembershipFactory(
        user=UserFactory(username="lead_a"), team=team_a, role=Role.LEAD
    ).user
    lead_b = MembershipFactory(
        user=UserFactory(username="lead_b"), team=team_b, role=Role.LEAD
    ).user
    member_a = MembershipFactory(
        user=UserFactory(username="member_a"), team=team_a, role=Role.MEMBER
    ).user
    director_a = DirectorshipFactory(
        user=UserFactory(username="director_a"), directorate=directorate_a
    ).user
    director_elsewhere = DirectorshipFactory(
        user=UserFactory(username="director_b"), directorate=directorate_b
    ).user
    org_director = DirectorshipFactory(
        user=UserFactory(username="org_director"), directorate=None
    ).user
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    return Cast(
        directorate_a=directorate_a,
        directorate_b=directorate_b,
        team_a=team_a,
        team_b=team_b,
        plan=plan,
        objective_a=ObjectiveFactory(plan=plan, ref="DIG-01", lead_team=team_a),
        objective_b=ObjectiveFactory(plan=plan, ref="OPS-01", lead_team=team_b),
        lead_a=lead_a,
        lead_b=lead_b,
        member_a=member_a,
        director_a=director_a,
        director_elsewhere=director_elsewhere,
        org_director=org_director,
        admin=admin,
        outsider=UserFactory(username="outsider"),
        anonymous=AnonymousUser(),
    )


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as user (or anonymous)."""

    def _client(user):
        client.logout()
        if user is not None and user.is_authenticated:
            client.force_login(user)
        return client

    return _client
