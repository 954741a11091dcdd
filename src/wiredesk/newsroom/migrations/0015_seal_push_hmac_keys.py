"""Push HMAC keys sealed at rest (wiredesk.newsroom.sealed): the keys kept in plain text until
now are encrypted under the secret key; going back opens them again."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from wiredesk.newsroom import sealed


def seal_plain_keys(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Source = apps.get_model("newsroom", "Source")
    for source in Source.objects.exclude(push_hmac_key="").exclude(
            push_hmac_key__startswith=sealed.PREFIX).only("pk", "push_hmac_key"):
        Source.objects.filter(pk=source.pk).update(
            push_hmac_key=sealed.seal(source.push_hmac_key))


def open_sealed_keys(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Source = apps.get_model("newsroom", "Source")
    for source in Source.objects.filter(push_hmac_key__startswith=sealed.PREFIX).only(
            "pk", "push_hmac_key"):
        Source.objects.filter(pk=source.pk).update(
            push_hmac_key=sealed.unseal(source.push_hmac_key))


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0014_entity_linking'),
    ]

    operations = [
        migrations.AlterField(
            model_name='source',
            name='push_hmac_key',
            field=models.CharField(blank=True, help_text='Shared key for HMAC-SHA256 signed pushes, encrypted under the secret key (verifying a signature needs the key itself, so it cannot be hashed).', max_length=200),
        ),
        migrations.RunPython(seal_plain_keys, open_sealed_keys),
    ]
