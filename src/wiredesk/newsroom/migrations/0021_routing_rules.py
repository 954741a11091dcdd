"""Routing rules (issue 12): the Rule table, and what rules set on a story -- its place at the top
of the home page and when the review queue releases it."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0020_enrichment_queue'),
    ]

    operations = [
        migrations.CreateModel(
            name='Rule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('position', models.IntegerField(default=0, help_text='Rules run in this order, lowest first.')),
                ('enabled', models.BooleanField(default=True)),
                ('when', models.JSONField(blank=True, default=dict)),
                ('then', models.JSONField(default=dict)),
                ('note', models.TextField(blank=True, help_text='Why the rule exists (for the desk).')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('error_count', models.PositiveIntegerField(default=0)),
                ('last_error', models.CharField(blank=True, max_length=500)),
                ('last_error_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['position', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='story',
            name='front_priority',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='story',
            name='front_until',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='story',
            name='release_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(condition=models.Q(('front_priority__gt', 0)), fields=['-front_priority', '-first_published_at'], name='story_front'),
        ),
        migrations.AddField(
            model_name='rule',
            name='source',
            field=models.ForeignKey(blank=True, help_text="Empty: every source's items. Else only this source's.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='newsroom.source'),
        ),
        # The review queue's admin view of held stories (no table of its own).
        migrations.CreateModel(
            name='HeldStory',
            fields=[
            ],
            options={
                'verbose_name': 'held story (review queue)',
                'verbose_name_plural': 'review queue',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('newsroom.story',),
        ),
    ]
