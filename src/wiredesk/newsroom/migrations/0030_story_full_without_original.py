# Full text with no original, flagged on the story (issue 11, point 3): the news sitemap read
# every story of its 48 hours with its version to find the few whose canonical page is ours.
# See wiredesk.newsroom.write.sitemap_flags.

from django.db import migrations, models
from django.db.models import Q


def flag_stories(apps, schema_editor):  # type: ignore[no-untyped-def]
    """canonical.FULL_WITHOUT_ORIGINAL as it reads now, with this migration's models."""
    Story = apps.get_model("newsroom", "Story")
    has_original = (Q(current_version__link__istartswith="http://")
                    | Q(current_version__link__istartswith="https://"))
    flagged = Story.objects.filter(Q(publication_mode="full") & ~has_original)
    Story.objects.filter(pk__in=flagged.values("pk")).update(full_without_original=True)


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0029_event_public_sizes'),
    ]

    operations = [
        migrations.AddField(
            model_name='story',
            name='full_without_original',
            field=models.BooleanField(db_default=False, default=False, help_text="Full text with no link to an original article: our page is canonical and in our sitemaps whatever the source's canonical policy."),
        ),
        migrations.RunPython(flag_stories, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(condition=models.Q(('full_without_original', True), ('merged_into__isnull', True)), fields=['status', '-first_published_at', '-id'], name='story_full_without_original'),
        ),
        # Statistics for the new column and index: without them PostgreSQL takes the flag for
        # true in half the stories and walks the news sitemap's 48 hours as before.
        migrations.RunSQL("ANALYZE newsroom_story", migrations.RunSQL.noop),
    ]
