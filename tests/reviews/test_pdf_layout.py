"""Long and unusual text in the PDF pack: it runs on over as many pages as it needs, and all of it
is printed."""

import re

from reportlab.pdfbase.pdfmetrics import stringWidth

from objectives.models import Objective, StatusUpdate
from reviews import services
from reviews.models import CollaborationDay, DecisionKind
from reviews.pack import FlagView
from reviews.pdf import build_pack, register_fonts
from reviews.pdf.blocks import flag_line
from reviews.pdf.document import running_title
from reviews.pdf.styles import build_styles
from tests.factories import add_update

from .conftest import AS_AT
from .test_pack_pdf import body_lines, outline_titles, read


def numbered(prefix: str, length: int) -> str:
    """Words prefix0 prefix1 … up to `length` characters, so a test can tell every word was
    printed, in order."""
    words = []
    size = -1
    n = 0
    while size + len(f" {prefix}{n}") <= length:
        words.append(f"{prefix}{n}")
        size += len(f" {prefix}{n}")
        n += 1
    return " ".join(words)


def running_text(pages) -> str:
    """The text of the pages after the cover without their running headers and footers, on one
    line: text that runs on over a page break reads on."""
    return " ".join(" ".join(body_lines(page)) for page in pages[1:]).replace("  ", " ")


def numbers(prefix: str, text: str) -> list[int]:
    return [int(n) for n in re.findall(rf"\b{prefix}(\d+)\b", text)]


def test_a_6000_character_impact_answer_runs_on_over_pages_and_is_printed_to_its_last_words(
    world,
):
    answer = "We expect people to reach the right service first time. " * 110 + (
        "Those are the last words of the answer."
    )
    assert len(answer) > 6000
    Objective.objects.filter(pk=world.shared.pk).update(impact_enhance=answer)

    reader, pages, text = read(build_pack(world.day, as_at=AS_AT))

    flat = running_text(pages)
    assert flat.count("We expect people to reach the right service first time.") == 110
    assert "Those are the last words of the answer." in flat
    assert len(pages) == 12  # two more pages than without the answer


def test_10000_characters_in_every_long_text_field_are_all_printed(world, cast):
    length = 10_000
    Objective.objects.filter(pk=world.shared.pk).update(
        description=numbered("desc", length),
        impact_enhance=numbered("enh", length),
        impact_restore=numbered("res", length),
        impact_replace=numbered("rep", length),
        impact_mutate=numbered("mut", length),
    )
    update = add_update(world.shared, cast.team_a, 7, "red", author=cast.lead_a)
    StatusUpdate.objects.filter(pk=update.pk).update(
        going_well=numbered("well", length),
        not_going_well=numbered("ill", length),
        risks=numbered("risk", length),
    )
    services.record_action(
        day=world.day, what=numbered("act", length), created_by=cast.lead_a, owner_name="Sam"
    )
    services.record_decision(
        day=world.day,
        objective=world.shared,
        kind=DecisionKind.ESCALATE,
        why=numbered("why", length),
        recorded_by=cast.lead_a,
        at=AS_AT,
    )

    _, pages, text = read(build_pack(world.day, as_at=AS_AT))

    for prefix in ("desc", "enh", "res", "rep", "mut", "well", "ill", "risk", "act"):
        expected = list(range(len(numbered(prefix, length).split())))
        assert numbers(prefix, text) == expected, prefix
    # A decision shows in its objective's section and in the actions and decisions section.
    expected = list(range(len(numbered("why", length).split())))
    assert numbers("why", text) == expected * 2


def test_an_unbroken_10000_character_word_is_broken_across_lines_and_printed_whole(world, cast):
    Objective.objects.filter(pk=world.shared.pk).update(
        description="ж" * 10_000, impact_mutate="ß" * 10_000
    )
    update = add_update(world.shared, cast.team_a, 7, "red", author=cast.lead_a)
    StatusUpdate.objects.filter(pk=update.pk).update(going_well="ŵ" * 10_000)

    _, _, text = read(build_pack(world.day, as_at=AS_AT))

    assert (text.count("ж"), text.count("ß"), text.count("ŵ")) == (10_000, 10_000, 10_000)


def test_a_right_to_left_override_in_a_title_is_dropped_and_the_title_reads_as_typed(world):
    Objective.objects.filter(pk=world.shared.pk).update(title="Cut waits \u202efor everyone\u202c")
    CollaborationDay.objects.filter(pk=world.day.pk).update(title="Winter \u202ereadiness")
    world.day.refresh_from_db()

    reader, pages, text = read(build_pack(world.day, as_at=AS_AT))

    assert "\u202e" not in text
    assert "UEC-01 Cut waits for everyone" in outline_titles(reader)
    assert reader.metadata.title == "Review pack: Winter readiness"
    assert "Cut waits for everyone" in pages[4]
    assert all("Review pack: Winter readiness" in page for page in pages[1:])


def test_a_measures_name_is_on_the_same_page_as_its_chart(world):
    _, pages, _ = read(build_pack(world.day, as_at=AS_AT))

    (page,) = [p for p in pages if "Uptake · higher is better" in p]
    assert "Process limits" in page  # the chart's legend


def test_a_flag_line_gives_severity_rule_and_explanation_and_says_when_acknowledged():
    register_fonts()
    styles = build_styles()
    flag = FlagView("Divergence", "high", "Teams <disagree> & say so.", acknowledged=True)

    line = flag_line(flag, styles)

    assert line.text == (
        "<b>High</b> · Divergence: Teams &lt;disagree&gt; &amp; say so. <i>(acknowledged)</i>"
    )


def test_the_running_title_is_shortened_with_an_ellipsis_to_fit_its_width():
    register_fonts()
    title = "Review pack: " + "a very long collaboration day title " * 5

    short = running_title(title, 200)

    assert short.endswith("…")
    assert title.startswith(short[:-1])
    assert stringWidth(short, "PackSans", 8) <= 200
    assert running_title("Review pack: Winter", 200) == "Review pack: Winter"
