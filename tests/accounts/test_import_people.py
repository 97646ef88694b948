"""Teams and people from a staff-directory export: preview, problems by row, an atomic write,
idempotent re-runs, and leavers switched off with their history kept."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.people_import import build_preview, import_people
from accounts.people_writing import directorate_code
from objectives.models import Directorate, Directorship, Membership, Team

pytestmark = pytest.mark.django_db
User = get_user_model()

DIRECTORY = """Name,Email,Team,Role,Directorate,Director of
Priya Shah,priya.shah@example.nhs.uk,NHS 111 online,lead,Digital,
Priya Shah,PRIYA.SHAH@example.nhs.uk,Ambulance flow,Lead,Operations,
Tom Deputy,tom.deputy@example.nhs.uk,NHS 111 online,deputy,Digital,
Dana Director,dana@example.nhs.uk,,,,Digital; Operations
"""


def memberships():
    return sorted(
        (m.user.email.lower(), m.team.name, m.role)
        for m in Membership.objects.select_related("user", "team")
    )


def test_the_preview_lists_every_change_and_writes_nothing(organisation):
    preview = build_preview(DIRECTORY.encode(), full=True, name="directory.csv")

    assert (preview.ok, preview.people_in_file) == (True, 3)
    assert {heading: lines for heading, lines in preview.changes.items() if lines} == {
        "New directorates": ["Operations"],
        "New teams": ["Ambulance flow in Operations"],
        "New people": [
            "Tom Deputy (tom.deputy@example.nhs.uk)",
            "Dana Director (dana@example.nhs.uk)",
        ],
        "People leaving": ["Sam Old (sam.old@example.nhs.uk): switched off, history kept"],
        "Joining a team": [
            "Priya Shah: Ambulance flow as lead",
            "Tom Deputy: NHS 111 online as deputy",
        ],
        "Leaving a team": ["Sam Old: NHS 111 online"],
        "Becoming a director": ["Dana Director: Digital", "Dana Director: Operations"],
    }
    assert preview.notes == ["Priya Shah leads 2 teams: NHS 111 online, Ambulance flow (allowed)."]
    assert (User.objects.count(), Team.objects.count(), Directorate.objects.count()) == (3, 1, 1)


def test_confirming_writes_the_directory(organisation):
    preview = import_people(DIRECTORY.encode(), full=True, name="directory.csv")

    sam = User.objects.get(pk=organisation["sam"].pk)
    tom = User.objects.get(email="tom.deputy@example.nhs.uk")
    assert preview.applied
    assert memberships() == [
        ("priya.shah@example.nhs.uk", "Ambulance flow", "lead"),
        ("priya.shah@example.nhs.uk", "NHS 111 online", "lead"),
        ("tom.deputy@example.nhs.uk", "NHS 111 online", "deputy"),
    ]
    assert sorted(
        (d.user.get_full_name(), d.directorate.name) for d in Directorship.objects.all()
    ) == [("Dana Director", "Digital"), ("Dana Director", "Operations")]
    assert (Team.objects.get(name="Ambulance flow").directorate.code, sam.is_active) == (
        "OPERATIONS",
        False,
    )
    assert (tom.username, tom.get_full_name(), tom.has_usable_password()) == (
        "tom.deputy@example.nhs.uk",
        "Tom Deputy",
        False,
    )
    assert User.objects.get(username="admin").is_active  # superusers are never switched off


def test_a_leavers_updates_still_show_their_name(organisation, client):
    import_people(DIRECTORY.encode(), full=True)
    client.force_login(organisation["priya"])

    html = client.get(reverse("objectives:detail", args=[organisation["objective"].pk])).content

    assert "by Sam Old on 30 September 2024" in html.decode()


def test_running_the_same_file_again_changes_nothing(organisation):
    import_people(DIRECTORY.encode(), full=True)
    before = memberships()

    again = import_people(DIRECTORY.encode(), full=True)

    assert (again.change_count, again.summary, memberships()) == (0, "nothing to change", before)


def test_without_full_nobody_outside_the_file_is_switched_off(organisation):
    preview = import_people(DIRECTORY.encode(), full=False)

    assert preview.changes["People leaving"] == []
    assert User.objects.get(pk=organisation["sam"].pk).is_active
    assert ("sam.old@example.nhs.uk", "NHS 111 online", "member") in memberships()


def test_a_leaver_who_comes_back_is_switched_on_again(organisation):
    import_people(DIRECTORY.encode(), full=True)
    returning = DIRECTORY + "Sam Old,sam.old@example.nhs.uk,NHS 111 online,member,Digital,\n"

    preview = import_people(returning.encode(), full=True)

    assert preview.changes["People returning"] == ["Sam Old (sam.old@example.nhs.uk)"]
    assert User.objects.get(pk=organisation["sam"].pk).is_active


def test_problems_are_named_by_row_column_and_value_and_nothing_is_written(organisation):
    bad = (
        "Name,Email,Team,Role,Directorate,Director of\n"
        "Good Person,good@example.nhs.uk,NHS 111 online,member,Digital,\n"
        "Bad Email,not-an-email,NHS 111 online,member,Digital,\n"
        "Odd Role,odd@example.nhs.uk,NHS 111 online,boss,Digital,\n"
        "Good Person,good@example.nhs.uk,NHS 111 online,lead,Digital,\n"
        '=HYPERLINK("http://x"),formula@example.nhs.uk,NHS 111 online,,Digital,\n'
        "Dee Rector,dee@example.nhs.uk,,,,Digitl\n"
        "New Team,new@example.nhs.uk,Brand new team,member,,\n"
        "Other Name,GOOD@example.nhs.uk,,,,\n"
        "Moved Team,moved@example.nhs.uk,NHS 111 online,member,Operations,\n"
    )

    preview = import_people(bad.encode(), full=True)

    assert [problem.message for problem in preview.problems] == [
        "People row 3, email: 'not-an-email' is not an email address",
        "People row 4, role: 'boss' is not a role; use lead, deputy or member",
        "People row 6, name: '=HYPERLINK(\"http://x\")' looks like a spreadsheet formula; type "
        "the value",
        "People row 5, email: 'good@example.nhs.uk' is listed twice for team NHS 111 online "
        "(rows 2 and 5); keep one row",
        "People row 9, name: 'Other Name' differs from row 2 ('Good Person') for "
        "GOOD@example.nhs.uk; use one name",
        "People row 10, directorate: 'Operations' differs from row 2, which puts NHS 111 online "
        "in Digital; a team is in one directorate",
    ]
    assert not preview.applied
    assert (User.objects.count(), Team.objects.count()) == (3, 1)


def test_an_unknown_directorate_to_direct_and_a_new_team_without_one_are_refused(organisation):
    rows = (
        "Name,Email,Team,Role,Directorate,Director of\n"
        "Dee Rector,dee@example.nhs.uk,,,,Digitl\n"
        "New Team,new@example.nhs.uk,Brand new team,member,,\n"
    )

    preview = build_preview(rows.encode())

    assert [problem.message for problem in preview.problems] == [
        "People row 2, director_of: 'Digitl' is not a directorate here or in this file's "
        "directorate column",
        "People row 3, team: 'Brand new team' is a new team; give its directorate",
    ]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("cp1252", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b"")],
    ids=["cp1252", "utf-8-bom", "utf-16"],
)
def test_text_in_any_encoding_excel_writes_is_read(organisation, encoding, prefix):
    rows = (
        "Name,Email,Team,Role,Directorate\nZoë Brontë,zoe@example.nhs.uk,NHS 111 online,,Digital\n"
    )

    preview = build_preview(prefix + rows.encode(encoding))

    assert preview.changes["New people"] == ["Zoë Brontë (zoe@example.nhs.uk)"]


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_workbook_is_read_and_a_formula_without_a_saved_result_is_reported(organisation):
    data = xlsx(
        [
            ["Full name", "Email address", "Team", "Role in team", "Directorate"],
            ["Ann Example", "ann@example.nhs.uk", "NHS 111 online", "member", "Digital"],
            ['=CONCAT("Bo", " Bee")', "bo@example.nhs.uk", "NHS 111 online", "member", "Digital"],
        ]
    )

    preview = build_preview(data)

    assert [problem.message for problem in preview.problems] == [
        'People row 3, name: \'=CONCAT("Bo", " Bee")\' is a formula with no saved result; '
        "open the file in Excel, save it and retry"
    ]


def test_more_rows_than_the_cap_are_refused_with_a_clear_message(db, settings):
    settings.PEOPLE_IMPORT_MAX_ROWS = 10
    rows = "Name,Email\n" + "".join(f"P {n},p{n}@example.nhs.uk\n" for n in range(11))

    preview = build_preview(rows.encode())

    assert preview.file_error == (
        "The file has more than 10 rows; the most one import takes is 10 "
        "(PEOPLE_IMPORT_MAX_ROWS). Split it by directorate and import each part without --full."
    )


def test_twenty_thousand_rows_are_refused_at_the_default_cap(db):
    rows = "Name,Email\n" + "".join(f"P {n},p{n}@example.nhs.uk\n" for n in range(20_000))

    preview = build_preview(rows.encode())

    assert preview.file_error.startswith("The file has more than 15,000 rows;")


def test_directorate_codes_come_from_initials_and_never_clash():
    taken = {"DS"}
    assert [
        directorate_code("Digital Services", taken),
        directorate_code("Data Science", taken),
        directorate_code("Nursing", taken),
    ] == ["DS2", "DS3", "NURSING"]


def test_the_command_dry_run_prints_the_changes_and_writes_nothing(organisation, tmp_path):
    path = tmp_path / "directory.csv"
    path.write_text(DIRECTORY)
    out = io.StringIO()

    call_command("import_people", str(path), "--dry-run", "--full", stdout=out)

    assert (
        "People leaving (1):\n  Sam Old (sam.old@example.nhs.uk): switched off, history kept\n"
        in (out.getvalue())
    )
    assert out.getvalue().endswith(
        "Dry run: new directorates: 1; new teams: 1; new people: 2; people leaving: 1; joining a "
        "team: 2; leaving a team: 1; becoming a director: 2. Nothing was written.\n"
    )
    assert User.objects.count() == 3


def test_the_command_imports_and_refuses_a_file_with_problems(organisation, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(DIRECTORY)
    bad.write_text("Name,Email\nNo Email,\n")

    call_command("import_people", str(good), stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"1 problem\(s\) in bad.csv; nothing was imported."):
        call_command("import_people", str(bad), stdout=io.StringIO(), stderr=io.StringIO())

    assert User.objects.filter(email="tom.deputy@example.nhs.uk").count() == 1


MOVES = """Name,Email,Team,Role,Directorate,Director of
Priya Shah-Jones,priya.shah@example.nhs.uk,NHS 111 online,deputy,Operations,
Tom Deputy,tom.deputy@example.nhs.uk,NHS 111 online,lead,Operations,
Dana Director,dana@example.nhs.uk,,,,whole organisation
"""


def test_roles_names_teams_and_directorships_follow_the_file(organisation):
    import_people(DIRECTORY.encode(), full=True)

    preview = import_people(MOVES.encode())

    changes = {heading: sorted(lines) for heading, lines in preview.changes.items() if lines}
    assert changes == {
        "Teams moving directorate": ["NHS 111 online: from Digital to Operations"],
        "Names changed": ["Priya Shah → Priya Shah-Jones"],
        "Changing role": [
            "Priya Shah-Jones: lead → deputy in NHS 111 online",
            "Tom Deputy: deputy → lead in NHS 111 online",
        ],
        "Leaving a team": ["Priya Shah-Jones: Ambulance flow"],
        "Becoming a director": ["Dana Director: the whole organisation"],
        "No longer a director": ["Dana Director: Digital", "Dana Director: Operations"],
    }
    assert memberships() == [
        ("priya.shah@example.nhs.uk", "NHS 111 online", "deputy"),
        ("tom.deputy@example.nhs.uk", "NHS 111 online", "lead"),
    ]
    assert list(Directorship.objects.values_list("user__email", "directorate")) == [
        ("dana@example.nhs.uk", None)
    ]


def test_a_change_of_lead_is_announced_for_the_teams_objectives(
    organisation, django_capture_on_commit_callbacks
):
    from objectives.signals import objectives_changed

    heard = []

    def listen(sender, objective_ids, **kwargs):
        heard.append(objective_ids)

    objectives_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_people(DIRECTORY.encode(), full=True)
    finally:
        objectives_changed.disconnect(listen)

    assert heard == [frozenset({organisation["objective"].pk})]
