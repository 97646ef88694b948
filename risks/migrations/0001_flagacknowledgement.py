# FlagAcknowledgement comes from the objectives app with its table and rows as they are:
# only Django's idea of which app owns it changes here.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("objectives", "0002_move_flagacknowledgement_to_risks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FlagAcknowledgement",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("rule", models.CharField(max_length=32)),
                        ("subject", models.CharField(blank=True, help_text="What the flag is about within the rule, e.g. a team", max_length=120)),
                        ("note", models.TextField()),
                        ("evidence", models.JSONField(default=dict, help_text="The flag's evidence when acknowledged")),
                        ("severity_score", models.FloatField(default=0, help_text="How bad the evidence was")),
                        ("acknowledged_at", models.DateTimeField(auto_now_add=True)),
                        ("acknowledged_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
                        ("objective", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="acknowledgements", to="objectives.objective")),
                    ],
                    options={
                        "db_table": "objectives_flagacknowledgement",
                        "ordering": ["objective", "-acknowledged_at"],
                        "indexes": [models.Index(fields=["objective", "rule", "subject"], name="objectives__objecti_c69b42_idx")],
                    },
                ),
            ],
            database_operations=[],
        )
    ]
