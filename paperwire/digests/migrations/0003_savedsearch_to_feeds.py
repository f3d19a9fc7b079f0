# SavedSearch now belongs to the feeds app (feeds 0001); the table stays, only the state moves.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('digests', '0002_saved_search'),
        ('feeds', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SavedSearch')],
            database_operations=[],
        ),
    ]
