"""Follow-up rules (an answer invites to a deeper survey) and, on invitations, the
response that triggered one and when it may be sent. Additive; existing rows get NULL.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='send_after',
            field=models.DateTimeField(blank=True, null=True, verbose_name='send after'),
        ),
        migrations.AddField(
            model_name='invitation',
            name='source_response',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='followup_invitation', to='surveys.response', verbose_name='triggered by response'),
        ),
        migrations.CreateModel(
            name='FollowUpRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('question_key', models.SlugField(verbose_name='question key')),
                ('condition', models.JSONField(default=dict, verbose_name='condition')),
                ('delay_hours', models.PositiveIntegerField(default=0, verbose_name='delay (hours)')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('followup_survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='followup_sources', to='surveys.survey', verbose_name='follow-up survey')),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='followup_rules', to='surveys.survey', verbose_name='survey')),
            ],
            options={
                'verbose_name': 'follow-up rule',
                'verbose_name_plural': 'follow-up rules',
                'ordering': ['survey_id', 'id'],
            },
        ),
    ]
