import pytest

from objectives import ratings
from objectives.ratings import Rating


def test_the_five_point_scale_runs_best_to_worst():
    assert [r.label for r in ratings.scale(5)] == [
        "Green",
        "Amber/Green",
        "Amber",
        "Amber/Red",
        "Red",
    ]


def test_the_three_point_scale_offers_green_amber_red():
    assert [r.value for r in ratings.scale(3)] == ["green", "amber", "red"]


def test_an_unknown_scale_size_is_refused_with_the_value():
    with pytest.raises(ValueError, match="RATING_SCALE must be 3 or 5, not 4"):
        ratings.scale(4)


@pytest.mark.parametrize(
    ("rating", "step"),
    [
        (Rating.GREEN, 0),
        (Rating.AMBER_GREEN, 1),
        (Rating.AMBER, 2),
        (Rating.AMBER_RED, 3),
        (Rating.RED, 4),
        (None, None),
        ("", None),
    ],
)
def test_each_rating_has_its_step_from_green(rating, step):
    assert ratings.step(rating) == step


def test_every_rating_has_its_own_help_text():
    texts = [ratings.HELP_TEXT[r] for r in ratings.FIVE_POINT]
    assert len(set(texts)) == 5
    assert ratings.HELP_TEXT[Rating.RED].startswith("Looks unachievable")
    assert ratings.HELP_TEXT[Rating.GREEN].startswith("On track.")


def test_worst_ignores_not_reported_and_picks_the_furthest_from_green():
    assert ratings.worst(["green", None, "amber_red", "amber"]) == "amber_red"
    assert ratings.worst([None, ""]) is None


def test_steps_apart_is_symmetric_and_none_when_a_team_has_not_reported():
    assert ratings.steps_apart("green", "amber_red") == 3
    assert ratings.steps_apart("amber_red", "green") == 3
    assert ratings.steps_apart("green", None) is None


@pytest.mark.parametrize(
    ("rating", "low"),
    [
        ("green", False),
        ("amber_green", False),
        ("amber", False),
        ("amber_red", True),
        ("red", True),
        (None, False),
    ],
)
def test_low_confidence_means_amber_red_or_red(rating, low):
    assert ratings.is_low_confidence(rating) is low


def test_not_reported_is_labelled_in_words():
    assert ratings.label(None) == "Not reported"
    assert ratings.label("amber_green") == "Amber/Green"
