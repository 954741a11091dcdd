# Cluster summaries compressed with lz4 on PostgreSQL (issue 14, point 4): a desk session writes
# the summaries of every cluster it changed, ~2 MB of JSON per 200 stories, and PostgreSQL's
# default compression (pglz) of those values was most of the statement: 3.6 MB of summaries
# upserted in 115-129 ms with pglz, 51-62 ms with lz4 (side by side on this machine). Only new
# values are compressed with it; nothing is rewritten. Servers built without lz4 (it is optional
# at build time) keep pglz.

from django.db import migrations

COLUMN = "newsroom_clustersummary ALTER COLUMN state SET COMPRESSION"


def has_lz4(schema_editor) -> bool:  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                       "WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return bool(row and row[0])


def use_lz4(apps, schema_editor):  # type: ignore[no-untyped-def]
    if has_lz4(schema_editor):
        schema_editor.execute(f"ALTER TABLE {COLUMN} lz4")


def use_default(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {COLUMN} DEFAULT")


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0030_story_full_without_original'),
    ]

    operations = [
        migrations.RunPython(use_lz4, use_default),
    ]
