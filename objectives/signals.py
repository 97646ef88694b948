"""What changed: one signal, sent after the change commits, naming the objectives whose risk-rule
inputs changed (status updates, readings, milestones, edits, teams, dependencies, imports, admin
saves). The risks app listens (risks/apps.py); nothing in objectives or reviews imports risks, so
the arrows point one way.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

# Receivers get ``objective_ids``: a frozenset of objective primary keys.
objectives_changed = Signal()


def announce_change(objective_ids: Iterable[int], *, sender: str = "objectives") -> None:
    """Send ``objectives_changed`` for these objectives once the current transaction commits
    (at once outside a transaction). Ids that are None are ignored; nothing is sent for none."""
    ids = frozenset(int(pk) for pk in objective_ids if pk is not None)
    if ids:
        transaction.on_commit(
            lambda: objectives_changed.send(sender=sender, objective_ids=ids), robust=False
        )
