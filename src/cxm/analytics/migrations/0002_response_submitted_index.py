"""An index on surveys_response(submitted_at) for the dashboard's newest comments.

The comments list walks responses newest first within the period under any filter; the
surveys app indexes submitted_at only after survey, touchpoint or channel. The index is
created here, next to the query that needs it, with SQL that SQLite and PostgreSQL share.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS analytics_response_submitted "
            "ON surveys_response (submitted_at)",
            "DROP INDEX IF EXISTS analytics_response_submitted",
        )
    ]
