"""Make the PostgreSQL count triggers look papers and categories up by index, whatever the
planner's statistics say.

During a bulk import the statistics describe the table as it was before (autovacuum lags, or
is off): the planner then joined each batch's 4,000 category rows to every paper by a
sequential scan, so a batch cost more the more papers there were (500k papers: 275 µs a paper,
two thirds of the import). A trigger's lookups are always by primary key or paper id.
"""

from typing import Any

from django.db import migrations

FUNCTIONS = ("papers_paper_counts()", "papers_category_counts()")
SETTINGS = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")


def pin_plans(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for function in FUNCTIONS:
        sets = " ".join(f"SET {name} = off" for name in SETTINGS)
        schema_editor.execute(f"ALTER FUNCTION {function} {sets}")


def unpin_plans(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for function in FUNCTIONS:
        schema_editor.execute(f"ALTER FUNCTION {function} RESET ALL")


class Migration(migrations.Migration):
    dependencies = [("papers", "0006_fewer_indexes")]

    operations = [migrations.RunPython(pin_plans, unpin_plans)]
