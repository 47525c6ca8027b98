"""On PostgreSQL, the database itself refuses to update or delete access
records, whatever the application does. (TRUNCATE, which only an operator
or the test runner's flush uses, is a table-level statement and not covered.)"""

from __future__ import annotations

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION crisisplans_access_record_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'access records are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER crisisplans_accessrecord_append_only
    BEFORE UPDATE OR DELETE ON crisisplans_accessrecord
    FOR EACH ROW EXECUTE FUNCTION crisisplans_access_record_is_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS crisisplans_accessrecord_append_only ON crisisplans_accessrecord;
DROP FUNCTION IF EXISTS crisisplans_access_record_is_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("crisisplans", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
