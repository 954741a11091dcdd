"""Listing states (a stored version per public listing, for O(1) validators), the listings each
story was last published in, indexes in listing order for keyset pagination, and each entity link's
copy of its story's publication time (filled here for existing links)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0009_process_leases'),
    ]

    operations = [
        migrations.CreateModel(
            name='ListingState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=250, unique=True)),
                ('version', models.BigIntegerField(default=0)),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.CreateModel(
            name='StoryListings',
            fields=[
                ('story', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='newsroom.story')),
                ('keys', models.TextField(blank=True)),
            ],
        ),
        migrations.RemoveIndex(
            model_name='story',
            name='newsroom_st_status_b692ba_idx',
        ),
        migrations.AddField(
            model_name='storyentity',
            name='published_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(condition=models.Q(('merged_into__isnull', True)), fields=['status', '-first_published_at', '-id'], name='story_listing_latest'),
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(condition=models.Q(('merged_into__isnull', True)), fields=['section', 'status', '-first_published_at', '-id'], name='story_listing_section'),
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(condition=models.Q(('merged_into__isnull', True)), fields=['source', 'status', '-first_published_at', '-id'], name='story_listing_source'),
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(condition=models.Q(('merged_into__isnull', True)), fields=['cluster', 'status', '-first_published_at', '-id'], name='story_listing_cluster'),
        ),
        migrations.AddIndex(
            model_name='storyentity',
            index=models.Index(fields=['entity', '-published_at', '-story'], name='story_entity_listing'),
        ),
        migrations.AlterField(
            model_name='story',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merged', to='newsroom.story'),
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['merged_into'], name='story_merged_into'),
        ),
        migrations.RunSQL(
            "UPDATE newsroom_storyentity SET published_at = (SELECT s.first_published_at "
            "FROM newsroom_story s WHERE s.id = newsroom_storyentity.story_id)",
            migrations.RunSQL.noop),
    ]
