"""The "throttle" cache's table when there is no Redis (used challenges, returning senders).

Made here rather than by a separate `createcachetable`, so that `migrate` is all a deployment
runs; made whether or not Redis is configured, so that dropping Redis later needs nothing.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "tickets_throttle"


def create(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_attachment_client")]
    operations = [migrations.RunPython(create, drop)]
