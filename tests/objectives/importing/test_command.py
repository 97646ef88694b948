"""manage.py import_plan FILE --plan 2024/25 [--dry-run]."""

import pytest
from django.core.management import CommandError, call_command

from objectives.models import Objective, Plan
from tests.objectives.importing.helpers import xlsx

pytestmark = pytest.mark.django_db


def write(tmp_path, rows, name="plan.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx({"Objectives": rows}))
    return str(path)


def test_the_command_imports_and_prints_the_summary(cast, tmp_path, capsys):
    path = write(tmp_path, [["ref", "title", "lead_team"], ["NEW-1", "New", "NHS 111 online"]])
    call_command("import_plan", path, plan="2026/27")
    out = capsys.readouterr().out
    assert "Objectives: 1 to create, 0 to update, 0 unchanged" in out
    assert "Imported into plan 2026/27: 1 created, 0 updated, 0 unchanged." in out
    assert Plan.objects.get(label="2026/27").status == "draft"


def test_a_dry_run_changes_nothing(cast, tmp_path, capsys):
    path = write(tmp_path, [["ref", "title", "lead_team"], ["NEW-1", "New", "NHS 111 online"]])
    call_command("import_plan", path, plan="2024/25", dry_run=True)
    assert "Dry run, nothing changed. Would be: 1 created, 0 updated, 0 unchanged." in (
        capsys.readouterr().out
    )
    assert not Objective.objects.filter(ref="NEW-1").exists()


def test_problems_are_printed_and_the_command_fails(cast, tmp_path, capsys):
    path = write(tmp_path, [["ref", "title", "lead_team"], ["NEW-1", "", "NHS 111 online"]])
    with pytest.raises(CommandError) as raised:
        call_command("import_plan", path, plan="2024/25")
    assert str(raised.value) == "1 problem in plan.xlsx; nothing was imported."
    assert "Objectives row 2, title: is empty; every objective needs a title" in (
        capsys.readouterr().err
    )
    assert not Objective.objects.filter(ref="NEW-1").exists()


def test_a_missing_file_is_a_clear_error(cast, tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("import_plan", str(tmp_path / "nope.xlsx"), plan="2024/25")
    assert str(raised.value) == f"Can't read {tmp_path / 'nope.xlsx'}: No such file or directory"


def test_the_command_takes_a_label_like_2024_25_and_a_chosen_sheet(cast, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    header = ["ref", "title", "lead_team"]
    path.write_bytes(
        xlsx(
            {
                "Team A": [header, ["NEW-1", "From A", "NHS 111 online"]],
                "Team B": [header, ["NEW-2", "From B", "NHS 111 online"]],
            }
        )
    )
    with pytest.raises(CommandError, match="1 problem in plan.xlsx; nothing was imported."):
        call_command("import_plan", str(path), plan="2024-25")
    assert 'Choose the Objectives sheet with --sheet: one of "Objectives=Team A", ' in (
        capsys.readouterr().err
    )
    call_command("import_plan", str(path), plan="2024-25", sheet=["Objectives=Team B"])
    assert "Imported into plan 2024/25: 1 created, 0 updated, 0 unchanged." in (
        capsys.readouterr().out
    )
    assert list(Objective.objects.filter(ref__startswith="NEW").values_list("ref", flat=True)) == [
        "NEW-2"
    ]
