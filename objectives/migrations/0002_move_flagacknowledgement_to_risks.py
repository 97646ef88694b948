# The model moves to the risks app; its table stays (risks.FlagAcknowledgement keeps db_table).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("objectives", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="FlagAcknowledgement")],
            database_operations=[],
        )
    ]
