"""The audit trigger takes the content type from the row's own label ("app.model#pk").

A long-running process caches content type ids; when the content types are re-created (a test database
flush under a live server, a restore) a cached id no longer exists and the insert fails. Looking the id up
in the trigger keeps audit writes working whatever a process has cached.
"""

from django.db import migrations

CHAIN_TRIGGER = """
CREATE OR REPLACE FUNCTION accounts_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_hash text;
    label text;
    current_type integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        label := split_part(NEW.object_repr, '#', 1);
        SELECT id INTO current_type FROM django_content_type
            WHERE app_label = split_part(label, '.', 1) AND model = split_part(label, '.', 2);
        IF current_type IS NOT NULL THEN
            NEW.content_type_id := current_type;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('accounts_auditlogentry'));
        NEW.id := nextval(pg_get_serial_sequence('accounts_auditlogentry', 'id'));
        SELECT entry_hash INTO last_hash FROM accounts_auditlogentry ORDER BY id DESC LIMIT 1;
        NEW.prev_hash := coalesce(last_hash, '');
        NEW.entry_hash := accounts_audit_entry_hash(NEW.prev_hash, NEW);
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND current_setting('peerlearn.audit_retention_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION accounts_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_hash text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_advisory_xact_lock(hashtext('accounts_auditlogentry'));
        NEW.id := nextval(pg_get_serial_sequence('accounts_auditlogentry', 'id'));
        SELECT entry_hash INTO last_hash FROM accounts_auditlogentry ORDER BY id DESC LIMIT 1;
        NEW.prev_hash := coalesce(last_hash, '');
        NEW.entry_hash := accounts_audit_entry_hash(NEW.prev_hash, NEW);
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND current_setting('peerlearn.audit_retention_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_phone_verification")]

    operations = [migrations.RunSQL(CHAIN_TRIGGER, PREVIOUS)]
