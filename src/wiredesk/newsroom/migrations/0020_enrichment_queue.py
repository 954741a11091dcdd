"""The enrichment queue as a partial index (issue 11): the worker used to find stories to enrich
by an anti-join over every story, a scan of the archive on every pass."""

from django.db import migrations, models
from django.db.models.lookups import Exact

BACKFILL = """
UPDATE newsroom_story SET enriched_version = current_version_id
WHERE current_version_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM newsroom_enrichment e, newsroom_storyversion v
    WHERE e.story_id = newsroom_story.id AND v.id = newsroom_story.current_version_id
      AND e.content_hash = v.content_hash)
"""


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0019_pictures")]

    operations = [
        migrations.AddField(
            model_name="story",
            name="enriched_version",
            field=models.BigIntegerField(default=0),
        ),
        # Stories whose current version was enriched leave the queue; an enricher upgrade puts
        # the stories it enriched back (wiredesk.newsroom.workers.enrichment.requeue_outdated).
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=False),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(
                condition=models.Q(current_version__isnull=False, merged_into__isnull=True)
                & ~models.Q(Exact(models.F("current_version"), models.F("enriched_version"))),
                fields=["-first_published_at", "-id"],
                name="story_enrich_queue",
            ),
        ),
    ]
