"""Asks raised before they were first-class: each takes its objective, asking team, author and
time from the status update it was raised in; a resolved ask becomes done."""

from django.db import migrations


def fill(apps, schema_editor):
    Ask = apps.get_model("objectives", "Ask")
    asks = Ask.objects.select_related("status_update__contribution")
    for ask in asks.iterator(chunk_size=500):
        update = ask.status_update
        ask.objective_id = update.contribution.objective_id
        ask.from_team_id = update.contribution.team_id
        ask.asked_by_id = update.author_id
        ask.created_at = update.created_at
        ask.state = "done" if ask.resolved else "open"
        ask.save(
            update_fields=["objective", "from_team", "asked_by", "created_at", "state"]
        )


def unfill(apps, schema_editor):
    Ask = apps.get_model("objectives", "Ask")
    Ask.objects.filter(state__in=["done", "declined", "withdrawn"]).update(resolved=True)
    # An ask raised on its own has no status update to go back to.
    Ask.objects.filter(status_update__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("objectives", "0005_ask_first_class")]

    operations = [migrations.RunPython(fill, unfill)]
