"""ImportJob.options: what the importer asked at upload (the survey of a response import).

Additive; existing jobs get {} (customer imports have no options).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='options',
            field=models.JSONField(blank=True, default=dict, help_text='What the importer asked for at upload, e.g. the survey of responses.', verbose_name='options'),
        ),
    ]
