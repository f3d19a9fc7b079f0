"""Create the generation counter outside Django's models, so a test flush never resets it."""

import time

from django.db import migrations


def create(apps, schema_editor):  # noqa: ANN001, ANN201
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            # A sequence: nextval inside a writing transaction takes no lock and is seen at once.
            cur.execute("CREATE SEQUENCE IF NOT EXISTS pagecache_generation_seq")
            cur.execute(
                "CREATE TABLE IF NOT EXISTS pagecache_generation "
                "(id integer PRIMARY KEY, value bigint NOT NULL, changed_at double precision NOT NULL)"
            )
        else:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS pagecache_generation "
                "(id integer PRIMARY KEY, value integer NOT NULL, changed_at real NOT NULL)"
            )
        cur.execute("DELETE FROM pagecache_generation")
        cur.execute("INSERT INTO pagecache_generation VALUES (1, 0, %s)", [time.time()])


def drop(apps, schema_editor):  # noqa: ANN001, ANN201
    with schema_editor.connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pagecache_generation")
        if schema_editor.connection.vendor == "postgresql":
            cur.execute("DROP SEQUENCE IF EXISTS pagecache_generation_seq")


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(create, drop)]
