from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("papers", "0002_versions")]

    operations = [
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(fields=["listing_day", "hidden", "upvotes", "hf_upvotes"], name="paper_day_visible"),
        ),
    ]
