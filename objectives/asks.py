"""Asks between teams: raise one, answer it, close it. Views and record_status call these.

The life of an ask: open → accepted or declined (with a reply) → done, or withdrawn by the team
that asked. The receiving team answers (accept, decline, done); the asking team withdraws.
objectives/permissions.py says who belongs to which side. Answering an ask that is already
closed changes nothing and raises nothing: two people pressing "Done" at once is not an error.
"""

from __future__ import annotations

from django.db import transaction

from . import clock
from .models import Ask, AskState
from .signals import announce_change

# Which states each answer may leave from. Done may skip accepted: delivering is an answer.
ANSWERS = {
    AskState.ACCEPTED: (AskState.OPEN,),
    AskState.DECLINED: (AskState.OPEN, AskState.ACCEPTED),
    AskState.DONE: (AskState.OPEN, AskState.ACCEPTED),
}
WITHDRAWABLE = (AskState.OPEN, AskState.ACCEPTED)

REPLY_MAX = 2000


def raise_ask(
    *,
    objective,
    from_team,
    to_team,
    text: str,
    asked_by,
    due_date=None,
    status_update=None,
    now=None,
) -> Ask:
    with transaction.atomic():
        ask = Ask.objects.create(
            objective=objective,
            from_team=from_team,
            to_team=to_team,
            text=text,
            due_date=due_date,
            asked_by=asked_by,
            status_update=status_update,
            created_at=now or clock.now(),
        )
        announce_change([objective.pk])  # an open ask is an input of the unanswered-ask rule
    return ask


def answer_ask(*, ask: Ask, state: str, reply: str = "", by) -> bool:
    """Move `ask` to `state` (accepted, declined or done) with an optional reply. False, and no
    change, when the ask has already left the states that answer may come from."""
    allowed_from = ANSWERS.get(state)
    if allowed_from is None:
        raise ValueError(f"'{state}' is not an answer to an ask")
    return _move(ask, state, allowed_from, reply=reply, by=by)


def withdraw_ask(*, ask: Ask, by) -> bool:
    return _move(ask, AskState.WITHDRAWN, WITHDRAWABLE, reply=None, by=by)


def _move(ask: Ask, state, allowed_from, *, reply, by) -> bool:
    with transaction.atomic():
        locked = Ask.objects.select_for_update().get(pk=ask.pk)
        if locked.state not in allowed_from:
            ask.state, ask.reply = locked.state, locked.reply
            return False
        locked.state = state
        fields = ["state", "updated_at"]
        if reply is not None:
            # Accepting without a word keeps the earlier reply; a new reply replaces it.
            if reply.strip():
                locked.reply = reply.strip()
            locked.answered_by = by
            fields += ["reply", "answered_by"]
        locked.save(update_fields=fields)
        announce_change([locked.objective_id])
    ask.state, ask.reply, ask.answered_by = locked.state, locked.reply, locked.answered_by
    return True
