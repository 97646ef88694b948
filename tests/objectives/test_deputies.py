"""A team's deputy has a member's rights: they tick off the team's milestones and enter its
readings, but the team's view of an objective is recorded by its lead (or a director)."""

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


def test_a_deputy_may_do_what_a_member_may_and_no_more(cast, deputy):
    milestone = MilestoneFactory(objective=cast.objective_a)
    measure = MeasureFactory(objective=cast.objective_a)

    answers = {
        who: (
            permissions.can_mark_milestone(user, milestone),
            permissions.can_enter_readings(user, measure),
            permissions.can_update_team_status(user, cast.team_a),
            permissions.can_edit_objective(user, cast.objective_a),
        )
        for who, user in {"deputy": deputy, "member": cast.member_a}.items()
    }

    assert answers == {"deputy": (True, True, False, False), "member": (True, True, False, False)}


def test_a_deputy_is_named_as_such_in_the_team(cast, deputy):
    assert permissions.team_roles(deputy) == {cast.team_a.pk: "deputy"}
