"""Subscription requests now count in the one rate limiter (paperwire.ratelimits)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("digests", "0003_savedsearch_to_feeds")]

    operations = [migrations.DeleteModel(name="SubscribeAttempt")]
