"""PostgreSQL search documents carry their story's id bucket at several levels (1k to 4M ids,
newsroom.search.LEVELS) instead of one (migration 0013), so that any window of the newest stories
is a handful of lexemes: a query's cost follows the window, not the number of buckets in it.
Nothing to do on SQLite, whose FTS5 index is walked newest first as it is."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from wiredesk.newsroom.search import relevel_buckets_sql


def relevel(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in relevel_buckets_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0021_routing_rules")]
    # Backwards, the new lexemes stay: no query of older code can match them, and older code
    # finds no bucket lexeme of its own, so it searches the whole archive (slower, still right).
    operations = [migrations.RunPython(relevel, migrations.RunPython.noop)]
