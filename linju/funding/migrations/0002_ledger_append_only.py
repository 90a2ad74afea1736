"""On PostgreSQL the ledger table refuses UPDATE and DELETE outright: the application cannot
rewrite history even by mistake. (SQLite has no such triggers here; the hash chain and
``linju verify-ledger`` are the guard there.) TRUNCATE, an administrator's operation, is left
alone so that restores and test databases can be emptied."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION linju_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: record a reversing entry instead'
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER funding_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON funding_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION linju_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS funding_ledgerentry_append_only ON funding_ledgerentry;
DROP FUNCTION IF EXISTS linju_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
