from django.db import migrations


def load(apps, schema_editor):
    from cxm.cases.defaults import load_defaults

    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("cxm_channels", "0001_initial"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
