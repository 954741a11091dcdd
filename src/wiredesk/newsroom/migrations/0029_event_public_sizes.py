# Events' public sizes kept on their listing state rows (issue 11, point 3): the front page ranked
# events by counting their public stories on every render. See wiredesk.newsroom.write.event_sizes.

from django.db import migrations, models
from django.db.models import Count, Min, Q
from django.utils import timezone


def count_events(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every event's public size as of now, and until when it holds (as event_sizes.recount
    does, written here with this migration's models). Events left without one are counted
    when shown until their next change stores it."""
    Story = apps.get_model("newsroom", "Story")
    ListingState = apps.get_model("newsroom", "ListingState")
    now = timezone.now()
    public = ((Q(embargoed_until__isnull=True) | Q(embargoed_until__lte=now))
              & (Q(expires_at__isnull=True) | Q(expires_at__gt=now)))
    rows = (Story.objects.filter(cluster__isnull=False, status="published",
                                 current_version__isnull=False, merged_into__isnull=True)
            .order_by().values("cluster_id")
            .annotate(stories=Count("pk", filter=public),
                      sources=Count("source_id", distinct=True, filter=public),
                      released=Min("embargoed_until", filter=Q(embargoed_until__gt=now)),
                      expires=Min("expires_at", filter=Q(expires_at__gt=now))))
    connection = schema_editor.connection
    stamp = connection.ops.adapt_datetimefield_value
    values = [(row["stories"], row["sources"],
               stamp(min((t for t in (row["released"], row["expires"]) if t), default=None)),
               f"cluster:{row['cluster_id']}") for row in rows]
    table, stories, sources, until, key = (connection.ops.quote_name(name) for name in (
        ListingState._meta.db_table, "public_stories", "public_sources", "public_until", "key"))
    with connection.cursor() as cursor:
        for start in range(0, len(values), 10_000):
            cursor.executemany(f"UPDATE {table} SET {stories} = %s, {sources} = %s, "
                               f"{until} = %s WHERE {key} = %s", values[start:start + 10_000])


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0028_subscriber_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='listingstate',
            name='public_stories',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='listingstate',
            name='public_sources',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='listingstate',
            name='public_until',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(count_events, migrations.RunPython.noop),
    ]
