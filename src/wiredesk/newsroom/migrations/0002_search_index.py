"""The full-text search table: FTS5 on SQLite, tsvector + GIN on PostgreSQL (newsroom.search)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from wiredesk.newsroom.search import create_index_sql, drop_index_sql


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in create_index_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in drop_index_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
