"""Acceptance records are written once: the database itself refuses to change or delete them."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER contributions_acceptance_no_update BEFORE UPDATE ON contributions_acceptance
       BEGIN SELECT RAISE(ABORT, 'acceptance records are immutable'); END""",
    # No delete trigger here: test databases on SQLite are emptied with DELETE; the model refuses
    # deletions instead, and PostgreSQL (emptied with TRUNCATE) refuses them in the database too.
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS contributions_acceptance_no_update",
]
POSTGRESQL = [
    """CREATE FUNCTION contributions_acceptance_immutable() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'acceptance records are immutable'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER contributions_acceptance_immutable BEFORE UPDATE OR DELETE ON contributions_acceptance
       FOR EACH ROW EXECUTE FUNCTION contributions_acceptance_immutable()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS contributions_acceptance_immutable ON contributions_acceptance",
    "DROP FUNCTION IF EXISTS contributions_acceptance_immutable()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
