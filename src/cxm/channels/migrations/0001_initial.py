from django.db import migrations, models

DEFAULT_CHANNELS = [
    ("web", "web", False),
    ("app", "app", True),
    ("email", "email", True),
    ("sms", "sms", True),
    ("telegram", "telegram", True),
    ("phone", "phone", True),
    ("fax", "fax", False),
    ("social", "social", False),
    ("branch", "branch", False),
    ("other", "other", False),
]


def seed_catalogue(apps, schema_editor):
    Channel = apps.get_model("cxm_channels", "Channel")
    for position, (code, kind, can_send) in enumerate(DEFAULT_CHANNELS):
        Channel.objects.get_or_create(
            code=code, defaults={"kind": kind, "can_send": can_send, "position": position * 10}
        )


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="Channel",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("code", models.SlugField(unique=True, verbose_name="code")),
                ("kind", models.CharField(choices=[("web", "Web / portal"), ("app", "Mobile app"), ("email", "E-mail"), ("sms", "SMS"), ("telegram", "Telegram"), ("phone", "Phone"), ("fax", "Fax"), ("social", "Social media"), ("branch", "Branch"), ("other", "Other")], max_length=20, verbose_name="kind")),
                ("name", models.CharField(blank=True, max_length=200, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("can_send", models.BooleanField(default=False, help_text="The organisation can reach customers through it (consent applies).", verbose_name="can send messages")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
            ],
            options={"ordering": ["position", "code"], "verbose_name": "channel", "verbose_name_plural": "channels"},
        ),
        migrations.RunPython(seed_catalogue, migrations.RunPython.noop),
    ]
