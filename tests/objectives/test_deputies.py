"""A team's deputy may act for its lead (DESIGN.md): they record the team's view, tick off its
milestones, enter its readings and edit the objectives it leads, as the lead does."""

import pytest

from objectives import permissions
from objectives.models import Role
from tests.factories import MeasureFactory, MembershipFactory, MilestoneFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deputy(cast):
    return MembershipFactory(
        user=UserFactory(username="deputy_a"), team=cast.team_a, role=Role.DEPUTY
    ).user


def test_a_deputy_may_do_what_the_lead_may(cast, deputy):
    milestone = MilestoneFactory(objective=cast.objective_a)
    measure = MeasureFactory(objective=cast.objective_a)

    answers = {
        who: (
            permissions.can_mark_milestone(user, milestone),
            permissions.can_enter_readings(user, measure),
            permissions.can_update_team_status(user, cast.team_a),
            permissions.can_edit_objective(user, cast.objective_a),
        )
        for who, user in {"deputy": deputy, "lead": cast.lead_a, "member": cast.member_a}.items()
    }

    assert answers == {
        "deputy": (True, True, True, True),
        "lead": (True, True, True, True),
        "member": (True, True, False, False),
    }


def test_a_deputy_is_named_as_such_in_the_team(cast, deputy):
    assert permissions.team_roles(deputy) == {cast.team_a.pk: "deputy"}
