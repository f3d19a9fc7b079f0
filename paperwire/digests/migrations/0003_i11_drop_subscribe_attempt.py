"""Subscription requests now count in the one rate limiter (paperwire.ratelimits)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("digests", "0002_saved_search")]

    operations = [migrations.DeleteModel(name="SubscribeAttempt")]
