from django.db import migrations

# Seed 000 §11, phase 2: these interfaces are translated now, so students and mentors may pick them.
PHASE_TWO = ["ta", "bn", "mr", "kn"]


def activate(apps, schema_editor):
    apps.get_model("accounts", "Language").objects.filter(code__in=PHASE_TWO).update(is_active=True)


def deactivate(apps, schema_editor):
    apps.get_model("accounts", "Language").objects.filter(code__in=PHASE_TWO).update(is_active=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_notifications")]
    operations = [migrations.RunPython(activate, deactivate)]
