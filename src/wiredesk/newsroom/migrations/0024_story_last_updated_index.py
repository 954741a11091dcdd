"""The API's ?since= reads stories updated since from an index of the updated ones (issue 11,
point 3): a partial index, as only stories that received a later version have the column."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0023_outbox"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="story",
            index=models.Index(condition=models.Q(("last_updated_at__isnull", False)),
                               fields=["last_updated_at"], name="story_last_updated"),
        ),
    ]
