# SavedSearch moved here from the digests app; its table (digests_savedsearch) stays where it is,
# so this migration only records the model in the feeds app's state.

import django.db.models.deletion
import paperwire.feeds.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('digests', '0002_saved_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SavedSearch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('query', models.TextField()),
                        ('sort', models.CharField(default='relevance', max_length=16)),
                        ('mode', models.CharField(default='hybrid', max_length=16)),
                        ('in_digest', models.BooleanField(default=True)),
                        ('feed_token', models.CharField(default=paperwire.feeds.models.new_feed_token, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='saved_searches', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['name', 'pk'],
                        'db_table': 'digests_savedsearch',
                        'indexes': [models.Index(fields=['user', 'in_digest'], name='saved_search_user')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
