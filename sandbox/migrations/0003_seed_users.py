"""Seed the sandbox's users: three staff (ids 1-3) and five clients (ids 1001-1005)."""

from django.db import migrations

from sandbox.seed import SEED_USERS, add_missing


def seed_users(apps, schema_editor):
    add_missing(apps.get_model("sandbox", "User"), schema_editor.connection.alias)


def unseed_users(apps, schema_editor):
    User = apps.get_model("sandbox", "User")
    ids = [row[0] for row in SEED_USERS]
    User.objects.using(schema_editor.connection.alias).filter(id__in=ids).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("sandbox", "0002_user"),
    ]

    operations = [
        migrations.RunPython(seed_users, unseed_users),
    ]
