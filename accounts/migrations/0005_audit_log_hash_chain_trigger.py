"""The audit log's integrity lives in PostgreSQL, so no code path (ORM, admin, raw SQL) can skip it.

Inserts are serialised by an advisory lock; each gets the next id inside the lock (so id order is chain
order) and the hash of the row before it. UPDATE and DELETE are refused, except the retention purge, which
sets ``peerlearn.audit_retention_purge`` for its own transaction.
"""

from django.db import migrations

ENTRY_HASH = """
CREATE FUNCTION accounts_audit_entry_hash(prev text, r accounts_auditlogentry) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(chr(31),
        coalesce(prev, ''), r.id::text, extract(epoch FROM r.timestamp)::text, r.event, r.action::text,
        r.content_type_id::text, r.object_pk, coalesce(r.object_id::text, ''), r.object_repr,
        coalesce(r.changes::text, ''), r.changes_text, coalesce(r.actor_id::text, ''),
        coalesce(host(r.remote_addr), ''), coalesce(r.remote_port::text, ''), coalesce(r.cid, ''),
        coalesce(r.additional_data::text, ''), coalesce(r.serialized_data::text, ''), r.user_agent
    ), 'UTF8')), 'hex')
$$;
"""

CHAIN_TRIGGER = """
CREATE FUNCTION accounts_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER accounts_audit_append_only
    BEFORE INSERT OR UPDATE OR DELETE ON accounts_auditlogentry
    FOR EACH ROW EXECUTE FUNCTION accounts_audit_chain();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_privacy_audit_log_exports_deletions")]

    operations = [
        migrations.RunSQL(ENTRY_HASH, "DROP FUNCTION accounts_audit_entry_hash(text, accounts_auditlogentry);"),
        migrations.RunSQL(
            CHAIN_TRIGGER,
            "DROP TRIGGER accounts_audit_append_only ON accounts_auditlogentry; DROP FUNCTION accounts_audit_chain();",
        ),
    ]
