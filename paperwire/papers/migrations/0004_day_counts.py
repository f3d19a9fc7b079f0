"""Per-day paper counts kept by triggers, a covering index for the newest walk, and a small
index of the papers that have votes (trending ranks those; the rest follow in newest order)."""

from typing import Any

from django.db import migrations, models

# PostgreSQL: statement-level triggers over transition tables, so a batch of 500 inserted
# papers costs one grouped upsert, not 500. Each insert takes its count rows in (day, code)
# order, so two imports or ingestions at once lock them in one order and cannot deadlock. Additions upsert; subtractions only UPDATE rows
# that exist: a table emptied wholesale (a test flush deletes the counts first) stays empty
# instead of going negative.
PG_TRIGGERS = """
CREATE FUNCTION papers_paper_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO papers_daycount (listing_day, code, n)
            SELECT listing_day, '', COUNT(*) FROM new_rows WHERE NOT hidden GROUP BY listing_day ORDER BY listing_day
            ON CONFLICT (listing_day, code) DO UPDATE SET n = papers_daycount.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE papers_daycount d SET n = d.n - g.c
            FROM (SELECT listing_day, COUNT(*) AS c FROM old_rows WHERE NOT hidden GROUP BY listing_day) g
            WHERE d.listing_day = g.listing_day AND d.code = '';
    ELSE
        -- Only rows whose day or visibility changed move counts (a vote changes neither).
        UPDATE papers_daycount d SET n = d.n - g.c FROM (
            SELECT o.listing_day, c.code, COUNT(*) AS c FROM old_rows o
                JOIN new_rows w ON w.id = o.id
                JOIN LATERAL (SELECT '' AS code UNION ALL
                              SELECT code FROM papers_papercategory WHERE paper_id = o.id) c ON TRUE
                WHERE NOT o.hidden AND (o.hidden, o.listing_day) IS DISTINCT FROM (w.hidden, w.listing_day)
                GROUP BY o.listing_day, c.code
        ) g WHERE d.listing_day = g.listing_day AND d.code = g.code;
        INSERT INTO papers_daycount (listing_day, code, n)
            SELECT w.listing_day, c.code, COUNT(*) FROM new_rows w
                JOIN old_rows o ON o.id = w.id
                JOIN LATERAL (SELECT '' AS code UNION ALL
                              SELECT code FROM papers_papercategory WHERE paper_id = w.id) c ON TRUE
                WHERE NOT w.hidden AND (o.hidden, o.listing_day) IS DISTINCT FROM (w.hidden, w.listing_day)
                GROUP BY w.listing_day, c.code ORDER BY w.listing_day, c.code
            ON CONFLICT (listing_day, code) DO UPDATE SET n = papers_daycount.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION papers_category_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE papers_daycount d SET n = d.n - g.c FROM (
            SELECT p.listing_day, o.code, COUNT(*) AS c FROM old_rows o
                JOIN papers_paper p ON p.id = o.paper_id WHERE NOT p.hidden GROUP BY p.listing_day, o.code
                ORDER BY p.listing_day, o.code
        ) g WHERE d.listing_day = g.listing_day AND d.code = g.code;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO papers_daycount (listing_day, code, n)
            SELECT p.listing_day, w.code, COUNT(*) FROM new_rows w
                JOIN papers_paper p ON p.id = w.paper_id WHERE NOT p.hidden GROUP BY p.listing_day, w.code
                ORDER BY p.listing_day, w.code
            ON CONFLICT (listing_day, code) DO UPDATE SET n = papers_daycount.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER papers_paper_counts_ins AFTER INSERT ON papers_paper
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION papers_paper_counts();
CREATE TRIGGER papers_paper_counts_del AFTER DELETE ON papers_paper
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION papers_paper_counts();
CREATE TRIGGER papers_paper_counts_upd AFTER UPDATE ON papers_paper
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION papers_paper_counts();
CREATE TRIGGER papers_category_counts_ins AFTER INSERT ON papers_papercategory
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION papers_category_counts();
CREATE TRIGGER papers_category_counts_del AFTER DELETE ON papers_papercategory
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION papers_category_counts();
CREATE TRIGGER papers_category_counts_upd AFTER UPDATE ON papers_papercategory
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION papers_category_counts();
"""

PG_DROP = """
DROP TRIGGER papers_paper_counts_ins ON papers_paper;
DROP TRIGGER papers_paper_counts_del ON papers_paper;
DROP TRIGGER papers_paper_counts_upd ON papers_paper;
DROP TRIGGER papers_category_counts_ins ON papers_papercategory;
DROP TRIGGER papers_category_counts_del ON papers_papercategory;
DROP TRIGGER papers_category_counts_upd ON papers_papercategory;
DROP FUNCTION papers_paper_counts();
DROP FUNCTION papers_category_counts();
"""


def _add(day: str, code: str, when: str = "") -> str:
    """Return SQLite's upsert adding one to a count row (the WHERE makes the SELECT form unambiguous)."""
    return (
        f"INSERT INTO papers_daycount (listing_day, code, n) SELECT {day}, {code}, 1 WHERE 1 {when} "
        "ON CONFLICT (listing_day, code) DO UPDATE SET n = n + 1;"
    )


def _take(day: str, code: str, when: str = "") -> str:
    """Return SQLite's update taking one from a count row, when it exists."""
    return f"UPDATE papers_daycount SET n = n - 1 WHERE listing_day = {day} AND code = {code} {when};"


def _add_categories(paper: str, day: str, when: str) -> str:
    """Return SQLite's upsert adding one to the count row of each category of a paper."""
    return (
        "INSERT INTO papers_daycount (listing_day, code, n) "
        f"SELECT {day}, code, 1 FROM papers_papercategory WHERE paper_id = {paper} {when} "
        "ON CONFLICT (listing_day, code) DO UPDATE SET n = n + 1;"
    )


def _take_categories(paper: str, day: str, when: str) -> str:
    """Return SQLite's update taking one from the count row of each category of a paper."""
    return (
        f"UPDATE papers_daycount SET n = n - 1 WHERE listing_day = {day} AND code IN "
        f"(SELECT code FROM papers_papercategory WHERE paper_id = {paper}) {when};"
    )


MOVED = "(OLD.hidden IS NOT NEW.hidden OR OLD.listing_day IS NOT NEW.listing_day)"
# SQLite has row triggers only: one write per paper and per category row. Subtractions only
# update rows that exist, as on PostgreSQL (a test flush may empty the counts first).
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER papers_paper_counts_ins AFTER INSERT ON papers_paper WHEN NOT NEW.hidden
        BEGIN {_add("NEW.listing_day", "''")} END""",
    f"""CREATE TRIGGER papers_paper_counts_del AFTER DELETE ON papers_paper WHEN NOT OLD.hidden
        BEGIN {_take("OLD.listing_day", "''")} END""",
    f"""CREATE TRIGGER papers_paper_counts_upd AFTER UPDATE OF hidden, listing_day ON papers_paper WHEN {MOVED}
        BEGIN
        {_take("OLD.listing_day", "''", "AND NOT OLD.hidden")}
        {_take_categories("OLD.id", "OLD.listing_day", "AND NOT OLD.hidden")}
        {_add("NEW.listing_day", "''", "AND NOT NEW.hidden")}
        {_add_categories("NEW.id", "NEW.listing_day", "AND NOT NEW.hidden")}
        END""",
]


def _add_category_row(row: str) -> str:
    return (
        "INSERT INTO papers_daycount (listing_day, code, n) "
        f"SELECT listing_day, {row}.code, 1 FROM papers_paper WHERE id = {row}.paper_id AND NOT hidden "
        "ON CONFLICT (listing_day, code) DO UPDATE SET n = n + 1;"
    )


def _take_category_row(row: str) -> str:
    return (
        f"UPDATE papers_daycount SET n = n - 1 WHERE code = {row}.code AND listing_day = "
        f"(SELECT listing_day FROM papers_paper WHERE id = {row}.paper_id AND NOT hidden);"
    )


SQLITE_TRIGGERS += [
    f"CREATE TRIGGER papers_category_counts_ins AFTER INSERT ON papers_papercategory BEGIN {_add_category_row('NEW')} END",
    f"CREATE TRIGGER papers_category_counts_del AFTER DELETE ON papers_papercategory BEGIN {_take_category_row('OLD')} END",
    f"""CREATE TRIGGER papers_category_counts_upd AFTER UPDATE ON papers_papercategory
        BEGIN {_take_category_row("OLD")} {_add_category_row("NEW")} END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER {name}"
    for name in (
        "papers_paper_counts_ins",
        "papers_paper_counts_del",
        "papers_paper_counts_upd",
        "papers_category_counts_ins",
        "papers_category_counts_del",
        "papers_category_counts_upd",
    )
]

BACKFILL = """
INSERT INTO papers_daycount (listing_day, code, n)
    SELECT listing_day, '', COUNT(*) FROM papers_paper WHERE NOT hidden GROUP BY listing_day
    UNION ALL
    SELECT p.listing_day, c.code, COUNT(*) FROM papers_papercategory c
        JOIN papers_paper p ON p.id = c.paper_id WHERE NOT p.hidden GROUP BY p.listing_day, c.code
"""


def create_triggers(apps: Any, schema_editor: Any) -> None:
    """Count the papers already here, then let the triggers keep the counts."""
    statements = [PG_TRIGGERS] if schema_editor.connection.vendor == "postgresql" else SQLITE_TRIGGERS
    for sql in [BACKFILL, *statements]:
        schema_editor.execute(sql)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    statements = [PG_DROP] if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("papers", "0003_day_visible")]

    operations = [
        migrations.CreateModel(
            name="DayCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("listing_day", models.DateField()),
                ("code", models.CharField(max_length=32)),
                ("n", models.IntegerField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("listing_day", "code"), name="day_count_once")],
                "indexes": [models.Index(fields=["code", "listing_day"], name="day_count_code")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
        migrations.RemoveIndex(model_name="paper", name="paper_day_id"),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                fields=["listing_day", "arxiv_id", "hidden", "upvotes", "hf_upvotes", "id"], name="paper_day_walk"
            ),
        ),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                fields=["listing_day"],
                name="paper_voted",
                condition=models.Q(upvotes__gt=0) | models.Q(hf_upvotes__gt=0),
            ),
        ),
    ]
