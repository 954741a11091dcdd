"""SQLite's search table stems words as PostgreSQL's does (porter over unicode61): "migrations"
finds "migration" on both databases, now that queries no longer expand a prefix. The table is
rebuilt with its rows; PostgreSQL is unchanged."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from wiredesk.newsroom.search import retokenize_sql

BEFORE = "unicode61 remove_diacritics 2"
AFTER = "porter unicode61 remove_diacritics 2"


def stem(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in retokenize_sql(schema_editor.connection.vendor, AFTER):
        schema_editor.execute(statement)


def unstem(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in retokenize_sql(schema_editor.connection.vendor, BEFORE):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0010_listing_states")]
    operations = [migrations.RunPython(stem, unstem)]
