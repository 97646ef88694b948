"""Whatever is in the cells, the importer answers with a preview, never an exception."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from objectives.importing import columns, parsing, plan_import
from tests.objectives.importing.helpers import csv_bytes, xlsx

pytestmark = pytest.mark.django_db

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
# A worksheet can't hold control characters at all, so XLSX cells get none.
SHEET_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
CELL = st.one_of(
    st.none(),
    SHEET_TEXT,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2199, 12, 31)),
    st.sampled_from(["31/13/2025", "A/G", "High", "#REF!", "=1+1", "NHS 111 online", "DIG-01"]),
)
PARSERS = [
    parsing.parse_date,
    parsing.parse_number,
    parsing.parse_priority,
    parsing.parse_state,
    parsing.parse_direction,
    parsing.parse_frequency,
    parsing.parse_rating,
    parsing.parse_team_list,
    parsing.parse_ref_list,
]


@given(value=CELL)
def test_a_parser_either_reads_a_value_or_says_what_it_expected(value):
    for parser in PARSERS:
        try:
            parser(value)
        except parsing.ValueProblem as problem:
            assert problem.expected


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=13), min_size=1, max_size=6))
def test_any_objectives_sheet_gives_a_preview(cast, rows):
    header = list(columns.OBJECTIVES.keys)
    data = xlsx({"Objectives": [header, *rows]})
    preview = plan_import.build_preview(data, plan_label="2024/25")
    assert preview.refusal == ""
    assert all(problem.message.startswith("Objectives") for problem in preview.problems)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(TEXT, min_size=1, max_size=5), min_size=1, max_size=6))
def test_any_csv_gives_a_preview_or_a_reason(cast, rows):
    data = csv_bytes([["ref", "title", "lead_team", "delivery_date", "priority"], *rows])
    preview = plan_import.build_preview(data, plan_label="2024/25")
    assert preview.refusal or preview.sheets


TEAM = st.sampled_from(["NHS 111 online", "Ambulance flow", "nhs 111 ONLINE"])
REF = st.sampled_from(["A-1", "B-2", "OPS-01", "DIG-01", "c-3"])
OBJECTIVE_ROW = st.tuples(
    REF,
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30),
    SHEET_TEXT,
    TEAM,
    st.sampled_from([None, "Ambulance flow: x; NHS 111 online", 'NHS 111 online: "a;b"']),
    st.sampled_from([None, "lead_a@example.nhs.uk", "admin"]),
    CELL,
    st.sampled_from(["High", "", None, "2"]),
    st.sampled_from(["Done", None, "in progress"]),
    SHEET_TEXT,
    SHEET_TEXT,
    st.sampled_from([None, "DIG-01", "A-1; B-2", "OPS-01"]),
    st.sampled_from(["G", None, "AR", "Red"]),
)
MILESTONE_ROW = st.tuples(
    REF,
    st.sampled_from(["Beta", "Live"]),
    st.dates(),
    st.one_of(st.none(), TEAM),
    st.one_of(st.none(), st.dates()),
)
MEASURE_ROW = st.tuples(
    REF,
    st.sampled_from(["Calls", "Waits"]),
    st.sampled_from(["%", None]),
    st.sampled_from(["up", None, "Lower"]),
    st.one_of(st.none(), st.floats(-1e6, 1e6)),
    st.one_of(st.none(), st.dates()),
    st.one_of(st.none(), st.integers(0, 100)),
    st.none(),
    st.sampled_from(["Weekly", None]),
)


# The database is not reset between examples, so each import lands on what the earlier ones left:
# the second import of any file that imported cleanly must change nothing.
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(
    objectives=st.lists(OBJECTIVE_ROW, max_size=4, unique_by=lambda r: r[0].casefold()),
    milestones=st.lists(MILESTONE_ROW, max_size=4, unique_by=lambda r: (r[0].casefold(), r[1])),
    measures=st.lists(MEASURE_ROW, max_size=3, unique_by=lambda r: (r[0].casefold(), r[1])),
)
def test_importing_any_clean_file_twice_changes_nothing_the_second_time(
    cast, objectives, milestones, measures
):
    data = xlsx(
        {
            "Objectives": [list(columns.OBJECTIVES.keys), *objectives],
            "Milestones": [list(columns.MILESTONES.keys), *milestones],
            "Measures": [list(columns.MEASURES.keys), *measures],
        }
    )
    first = plan_import.import_plan(data, plan_label="2024/25", user=cast.admin)
    if first.ok:
        again = plan_import.build_preview(data, plan_label="2024/25", author=cast.admin)
        assert (again.problems, again.created, again.updated) == ([], 0, 0)
