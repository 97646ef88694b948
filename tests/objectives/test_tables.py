"""The objectives table (objectives/tables.py): columns are declared once and read their rows from
`list_queryset()` without further queries."""

import django_tables2 as tables
import pytest

from objectives.models import State
from objectives.tables import ObjectiveTable, list_queryset
from tests.factories import ObjectiveFactory, add_update

pytestmark = pytest.mark.django_db


def test_a_new_column_is_one_declaration_and_costs_no_query(cast, django_assert_num_queries):
    class WithTheme(ObjectiveTable):
        theme = tables.Column("Theme")

    objective = ObjectiveFactory(
        plan=cast.plan, ref="DIG-02", lead_team=cast.team_a, theme="Digital front door"
    )
    table = WithTheme(list_queryset().filter(pk=objective.pk))

    with django_assert_num_queries(2):  # the objectives, then their contributions
        cells = [(row.get_cell("ref"), row.get_cell("theme")) for row in table.rows]

    assert cells == [("DIG-02", "Digital front door")]
    assert [column.header for column in table.columns][-1] == "Theme"


def test_each_cell_shows_its_value_for_people(cast):
    objective = ObjectiveFactory(
        plan=cast.plan,
        ref="DIG-02",
        title="Shared <thing>",
        lead_team=cast.team_a,
        contributors=[cast.team_b],
        state=State.PAUSED,
        delivery_date=None,
    )
    add_update(objective, cast.team_b, 1, "red")
    (row,) = ObjectiveTable(list_queryset().filter(pk=objective.pk)).rows

    cells = {column.name: str(cell) for column, cell in row.items()}

    assert cells == {
        "ref": "DIG-02",
        "title": f'<a href="/objectives/{objective.pk}/">Shared &lt;thing&gt;</a>',
        "lead_team": "NHS 111 online",
        "teams": '<ul class="app-team-views">'
        '<li><strong class="app-rating rating--none">Not reported</strong>\n'
        "<span><bdi>NHS 111 online</bdi> (lead)</span></li>"
        '<li><strong class="app-rating rating--red">Red</strong>\n'
        "<span><bdi>Ambulance flow</bdi></span></li></ul>\n",
        "worst_rating": '<strong class="app-rating rating--red">Red</strong>\n',
        "state": "Paused",
        "delivery_date": "Not set",
    }
