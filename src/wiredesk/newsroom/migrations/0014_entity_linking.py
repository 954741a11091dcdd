"""Entities get an indexable page only when enrichment is sure of them (issue 13): a story's link
says whether its evidence links the entity, and the entity is linked when some story does.
Existing rows start unlinked (noindex, out of the sitemap) until ``wiredesk enrich --all`` redoes
them with enricher 1.4."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0013_search_buckets'),
    ]

    operations = [
        migrations.AddField(
            model_name='entity',
            name='linked',
            field=models.BooleanField(db_index=True, default=False),
        ),
        migrations.AddField(
            model_name='storyentity',
            name='linked',
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name='storyentity',
            index=models.Index(fields=['entity', 'linked'], name='story_entity_linked'),
        ),
    ]
