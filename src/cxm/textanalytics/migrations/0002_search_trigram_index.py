"""On PostgreSQL, a trigram index makes the explorer's `search_text LIKE '%word%'` fast on
millions of texts. SQLite has no such index; search there scans (fine at embedded sizes).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS textitem_search_trgm "
        "ON textanalytics_textitem USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS textitem_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("textanalytics", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
