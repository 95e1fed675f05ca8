from django.db import migrations

from accounts.languages import INITIAL_LANGUAGES


def add_languages(apps, schema_editor):
    Language = apps.get_model("accounts", "Language")
    for code, name, native_name, region, is_active, sort_order in INITIAL_LANGUAGES:
        Language.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "native_name": native_name,
                "region": region,
                "is_active": is_active,
                "sort_order": sort_order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(add_languages, migrations.RunPython.noop)]
