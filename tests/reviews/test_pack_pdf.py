"""The PDF review pack: sections, numbers, bookmarks, escaping, determinism and bad input."""

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from objectives.models import Objective, StatusUpdate
from reviews import services
from reviews.models import ActionState, DecisionKind, FocusObjective
from reviews.pack import load
from reviews.pdf import build_pack, clean, markup
from tests.factories import ObjectiveFactory, add_update, ask_in

from .conftest import AS_AT

SECTIONS = [
    "Contents",
    "How to read this pack",
    "Summary",
    "Actions and decisions",
    "Appendix: every objective of the participating teams",
]


def read(data: bytes):
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    return reader, pages, "\n".join(pages)


def outline_titles(reader):
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def test_the_pack_has_every_section_and_a_bookmark_for_each_section_and_objective(world):
    reader, pages, text = read(build_pack(world.day, as_at=AS_AT))
    for section in SECTIONS:
        assert section in text
    assert outline_titles(reader) == [
        "Contents",
        "How to read this pack",
        "Summary",
        "Objectives in focus (2)",
        "UEC-01 Increase first-time uptake of NHS 111 recommendations",
        "UEC-02 Reduce handover delays",
        "Actions and decisions",
        "Appendix: every objective of the participating teams",
    ]


def test_every_page_carries_the_marking_the_title_and_page_x_of_y(world, settings):
    settings.PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
    reader, pages, _ = read(build_pack(world.day, as_at=AS_AT))
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page
        assert re.search(rf"Page {number} of\s+{total}\b", page)
        if number > 1:
            assert "Review pack: Winter readiness" in page


def test_the_metadata_names_the_pack_and_its_language(world):
    reader, _, _ = read(build_pack(world.day, as_at=AS_AT))
    assert reader.metadata.title == "Review pack: Winter readiness"
    assert reader.metadata.subject.startswith(
        "Review pack for the collaboration day on 28 November"
    )
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def contents_lines(page: str) -> list[tuple[str, int]]:
    """(title, page) per line of the contents page. Each line's page number is drawn before
    its title, so the extracted text reads ". . . 3\nHow to read this pack"."""
    return [(title, int(number)) for number, title in re.findall(r"\. (\d+)\n([^\n]+)", page)]


def test_the_contents_lists_each_section_and_objective_with_the_page_it_starts_on(world):
    _, pages, _ = read(build_pack(world.day, as_at=AS_AT))

    assert contents_lines(pages[1]) == [
        ("How to read this pack", 3),
        ("Summary", 4),
        ("Objectives in focus (2)", 5),
        ("UEC-01 Increase first-time uptake of NHS 111 recommendations", 5),
        ("UEC-02 Reduce handover delays", 7),
        ("Actions and decisions", 9),
        ("Appendix: every objective of the participating teams", 10),
    ]


def body_lines(page: str) -> list[str]:
    """A page's text below its running header and footer (marking, title, date, marking,
    generated, page X of Y)."""
    return page.splitlines()[6:]


def test_each_section_starts_its_page_with_its_heading(world):
    _, pages, _ = read(build_pack(world.day, as_at=AS_AT))

    assert len(pages) == 10
    assert [body_lines(pages[n - 1])[0] for n in (2, 3, 4, 5, 7, 9, 10)] == [
        "Contents",
        "How to read this pack",
        "Summary",
        "Objective 1 of 2 · UEC-01",
        "Objective 2 of 2 · UEC-02",
        "Actions and decisions",
        "Appendix: every objective of the participating",  # the heading wraps
    ]
    assert body_lines(pages[4])[1:3] == ["Increase first-time uptake of NHS 111", "recommendations"]
    assert body_lines(pages[6])[1] == "Reduce handover delays"


def test_the_numbers_in_the_summary_are_those_the_database_holds(world, cast):
    _, pages, text = read(build_pack(world.day, as_at=AS_AT))
    pack = load(world.day, as_at=AS_AT)
    # Team A: current views on DIG-01 (none), UEC-01 (Amber/Green), UEC-02 (none).
    assert pack.summary["NHS 111 online"]["amber_green"] == 1
    assert pack.summary["NHS 111 online"][""] == 2
    summary = next(
        p for p in pages if p.lstrip().startswith("OFFICIAL") and "Current views by rating" in p
    )
    assert re.search(r"NHS 111 online\s+0\s+1\s+0\s+0\s+0\s+2\s+3", summary)
    assert re.search(r"Directory of Services\s+0\s+0\s+0\s+1\s+0\s+1\s+2", summary)
    assert f"{len(pack.appendix)} objectives of plan 2024/25" in text
    assert (
        len(pack.appendix)
        == Objective.objects.filter(contributions__team__in=[cast.team_a, world.team_c])
        .distinct()
        .count()
    )


def test_an_objective_section_shows_each_teams_view_history_milestones_and_measure(world):
    _, _, text = read(build_pack(world.day, as_at=AS_AT))
    assert "Amber/Red" in text and "September 2024" in text
    assert "C6" in text  # team C's narrative for month 6 (September)
    assert "OVERDUE" in text  # Beta live was due 30 September
    assert "Uptake" in text and "Verdict:" in text
    for question in ("What will be enhanced?", "What might this mutate into?"):
        assert question in text
    assert "Notes" in text


def test_the_same_data_gives_the_same_bytes(world):
    assert build_pack(world.day, as_at=AS_AT) == build_pack(world.day, as_at=AS_AT)


def test_a_changed_rating_changes_the_pack(world, cast):
    before = build_pack(world.day, as_at=AS_AT)
    add_update(world.shared, cast.team_a, 7, "red", author=cast.lead_a, text="Worse")
    assert build_pack(world.day, as_at=AS_AT) != before


# No NUL: PostgreSQL refuses it in text columns (and the forms refuse it before it gets there).
ADVERSARIAL = (
    "<b>&</i> <para> ]]> &amp; \x01\x07\x1b control "
    "emoji 😀🎉 Welsh ŵ ŷ Arabic مرحبا Greek αβγ Cyrillic жзи Chinese 中文 "
)


def test_adversarial_text_in_every_user_field_builds_and_is_still_there(world, cast):
    long = "Long narrative. " * 625  # 10,000 characters
    world.day.title = ADVERSARIAL + "title"
    world.day.venue = ADVERSARIAL + "venue"
    world.day.purpose = ADVERSARIAL + "purpose"
    world.day.save()
    Objective.objects.filter(pk=world.shared.pk).update(
        title=ADVERSARIAL[:200], description=ADVERSARIAL + long, impact_enhance=ADVERSARIAL
    )
    update = add_update(
        world.shared, cast.team_a, 7, "red", author=cast.lead_a, text=ADVERSARIAL + long
    )
    StatusUpdate.objects.filter(pk=update.pk).update(risks=ADVERSARIAL + long)
    ask_in(update, world.team_c, ADVERSARIAL + "ask")
    services.add_session(day=world.day, starts_at=dt.time(9, 30), title=ADVERSARIAL + "session")
    services.record_action(
        day=world.day,
        what=ADVERSARIAL + "action",
        created_by=cast.lead_a,
        owner_name=ADVERSARIAL[:100],
        due_date=dt.date(2024, 11, 1),
    )
    services.record_decision(
        day=world.day,
        objective=world.shared,
        kind=DecisionKind.STOP,
        why=ADVERSARIAL + "why",
        recorded_by=cast.lead_a,
        at=AS_AT,
    )

    _, pages, text = read(build_pack(world.day, as_at=AS_AT))

    flat = re.sub(r"\s+", " ", text)
    for word in ("<b>&</i>", "ŵ ŷ", "αβγ", "жзи", "😀", "[U+4E2D U+6587]", "control"):
        assert flat.count(word) >= 8, word
    assert "\x07" not in text
    assert flat.count("Long narrative.") >= 625 * 3
    for field in ("title", "venue", "purpose", "session", "action", "why", "ask"):
        assert f"Chinese [U+4E2D U+6587] {field}" in flat


def test_markup_escapes_tags_and_removes_control_characters():
    assert markup("a <b> & c\x00\x1b\nd") == "a &lt;b&gt; &amp; c<br/>d"
    assert clean("x\r\ny\rz\t\ud800") == "x\ny\nz "
    assert markup("中") == "[U+4E2D]"


def test_a_day_with_no_objectives_in_focus_says_so(world):
    FocusObjective.objects.filter(day=world.day).delete()
    _, pages, text = read(build_pack(world.day, as_at=AS_AT))
    assert "No objectives are in focus for this day yet." in text


def test_a_plan_with_no_updates_and_objectives_without_measures_say_so(cast):
    from tests.factories import TeamFactory

    team_c = TeamFactory(directorate=cast.directorate_a)
    ObjectiveFactory(plan=cast.plan, ref="NEW-01", lead_team=cast.team_a, contributors=[team_c])
    day = services.create_day(
        title="Early days",
        date=dt.date(2024, 5, 1),
        plan=cast.plan,
        teams=[cast.team_a, team_c],
        facilitator=None,
        created_by=cast.admin,
    )
    _, _, text = read(build_pack(day, as_at=AS_AT))
    assert "No team has reported on this objective yet." in text
    assert "This objective has no measures yet." in text
    assert "This is the first collaboration day for these teams." in text
    assert "No actions recorded yet." in text


def test_the_next_day_shows_the_previous_days_actions_and_what_changed(world, cast):
    earlier = services.create_day(
        title="Mid-year",
        date=dt.date(2024, 6, 20),
        plan=cast.plan,
        teams=[cast.team_a, world.team_c],
        facilitator=cast.lead_a,
        created_by=cast.lead_a,
    )
    services.record_action(
        day=earlier,
        what="Fix the data feed",
        created_by=cast.lead_a,
        owner_name="Sam",
        due_date=dt.date(2024, 10, 1),
    )
    done = services.record_action(
        day=earlier, what="Agree definitions", created_by=cast.lead_a, owner_name="Li"
    )
    services.update_action(action=done, state=ActionState.DONE, note="Published")
    add_update(world.shared, cast.team_a, 7, "red", author=cast.lead_a, text="Worse")

    _, _, text = read(build_pack(world.day, as_at=AS_AT))

    flat = re.sub(r"\s+", " ", text)
    assert "Since Mid-year on 20 June 2024" in flat
    assert "Fix the data feed" in flat and "OVERDUE" in flat
    assert "Agree definitions" in flat and "Published" in flat
    assert "Red" in flat


def test_build_pack_command_writes_the_pdf(world, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "pack.pdf"
    call_command("build_pack", str(world.day.pk), "-o", str(out), "--as-at", "2024-11-15T09:00")
    assert out.read_bytes() == build_pack(world.day, as_at=AS_AT)


def test_build_pack_command_names_a_missing_day(db, tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="There is no collaboration day with id 999"):
        call_command("build_pack", "999", "-o", str(tmp_path / "x.pdf"))


def test_a_missing_font_fails_with_a_message_naming_the_package(monkeypatch, tmp_path):
    from reviews.pdf import fonts

    monkeypatch.setattr(fonts, "FONT_DIR", tmp_path)
    monkeypatch.setattr(fonts, "_GLYPHS", frozenset())
    with pytest.raises(fonts.FontMissing, match="apt-get install fonts-dejavu-core"):
        fonts.register_fonts()
