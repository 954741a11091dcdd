"""A person's quotes in listing order from an index: the story's publication time copied onto
each quote row (back-filled here; publishing keeps it, as for entity links)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("newsroom", "0017_publication_gate"),
    ]

    operations = [
        migrations.AddField(
            model_name="storyquote",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="storyquote",
            index=models.Index(fields=["speaker", "-published_at", "-story", "position"],
                               name="story_quote_listing"),
        ),
        migrations.RunSQL(
            "UPDATE newsroom_storyquote SET published_at = (SELECT s.first_published_at "
            "FROM newsroom_story s WHERE s.id = newsroom_storyquote.story_id)",
            migrations.RunSQL.noop),
    ]
