"""PostgreSQL search documents carry their story's id bucket (a lexeme no text produces), so a
query can look at the newest stories first through the GIN index (newsroom.search.FIRST_WINDOW).
Nothing to do on SQLite, whose FTS5 index is walked newest first as it is."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from wiredesk.newsroom.search import add_buckets_sql


def add_buckets(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in add_buckets_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0012_desk_state_tables")]
    # Backwards, the bucket lexemes stay: no query of older code can match them.
    operations = [migrations.RunPython(add_buckets, migrations.RunPython.noop)]
