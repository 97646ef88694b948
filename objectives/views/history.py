"""The objective page's rating grid and status history, each loaded in one query however many
updates the objective has: the grid needs only each update's team, month and rating; the history
draws a page of each team's updates (HISTORY_PAGE, newest first), so an objective with hundreds of
updates stays a small page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Value, When, Window
from django.db.models.functions import Lag, RowNumber

from objectives import rating_grid
from objectives.models import Contribution, ContributionRole, StatusUpdate

HISTORY_PAGE = 12  # a team's updates shown at a time: a year of months


@dataclass
class TeamHistory:
    """One team's status history on the objective's page: a page of its updates, newest first."""

    contribution: Contribution
    count: int
    page: int
    updates: list = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // HISTORY_PAGE))

    @property
    def newer_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def older_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    @property
    def first_number(self) -> int:
        return (self.page - 1) * HISTORY_PAGE + 1

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.updates) - 1


def history_page(request, contributions) -> tuple[int | None, int]:
    """The team whose history is paged on from its first page (`?history=<team id>&page=<n>`), and
    the page; every other team shows its first page."""
    try:
        team_id = int(request.GET.get("history", ""))
        number = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return None, 1
    if team_id not in {c.team_id for c in contributions}:
        return None, 1
    return team_id, number


def histories(
    objective, contributions, counts, paged_team, page_number, *, asks=()
) -> list[TeamHistory]:
    """Each team's page of updates, in one query however many updates there are: each update is
    numbered within its team, newest first, and only the numbers on the page are fetched.
    `rating_before` is the rating of the team's update before it (a correction's is the rating of
    the update it corrects). `asks` are the objective's asks, loaded once by the page: each
    update lists those raised in it (`raised_asks`)."""
    histories = {}
    for c in contributions:
        page = page_number if c.team_id == paged_team else 1
        page = min(page, max(1, -(-counts.get(c.pk, 0) // HISTORY_PAGE)))
        histories[c.pk] = TeamHistory(contribution=c, count=counts.get(c.pk, 0), page=page)
    if not histories:
        return []
    first_shown = Case(
        *(
            When(contribution_id=key, then=Value((h.page - 1) * HISTORY_PAGE))
            for key, h in histories.items()
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    by_team = [F("contribution_id")]
    updates = (
        StatusUpdate.objects.filter(contribution__objective=objective)
        .annotate(
            number=Window(
                RowNumber(), partition_by=by_team, order_by=[F("created_at").desc(), F("pk").desc()]
            ),
            rating_before=Window(
                Lag("rating"), partition_by=by_team, order_by=[F("created_at"), F("pk")]
            ),
            first_shown=first_shown,
        )
        .filter(number__gt=F("first_shown"), number__lte=F("first_shown") + HISTORY_PAGE)
        .select_related("author", "period", "corrects__period", "corrects__author")
        .order_by("contribution_id", "number")
    )
    raised = defaultdict(list)
    for ask in asks:
        raised[ask.status_update_id].append(ask)
    for update in updates:
        update.raised_asks = raised[update.pk]
        history = histories[update.contribution_id]
        update.team = history.contribution.team
        update.previous_rating = (
            update.corrects.rating if update.corrects_id else update.rating_before
        )
        history.updates.append(update)
    return list(histories.values())


def rating_grid_of(objective, contributions, today):
    """The month × team grid (objectives/rating_grid.py) and each team's number of updates."""
    months = rating_grid.months(objective.plan.start_date, today)
    ratings = list(
        StatusUpdate.objects.filter(contribution__objective=objective)
        .order_by("created_at", "pk")
        .values_list("contribution_id", "period__month", "rating")
    )
    counts: dict[int, int] = {}
    for key, _, _ in ratings:
        counts[key] = counts.get(key, 0) + 1
    teams = [(c.pk, c.team.name, c.role == ContributionRole.LEAD) for c in contributions]
    return months, rating_grid.rows(teams, ratings, months, today), counts
