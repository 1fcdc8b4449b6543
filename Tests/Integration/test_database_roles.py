"""Issue 11: the database is reachable only on its unix socket, with passwords, and the app is neither superuser
nor BYPASSRLS, so row-level security holds even for a query that forgets its scope."""
import os
import socket
import subprocess

import psycopg_shim


def as_app(stack, sql, *params):
    return psycopg_shim.query(stack.database_url, sql, params)


def pg_dir(stack):
    return os.path.join(stack.workdir, "pg")


def test_worker_and_scheduler_log_in_as_a_role_without_superuser_or_bypassrls(stack, user):
    assert user.get("/api/v1/me").status_code == 200  # the worker has connections open
    logins = stack.psql("SELECT DISTINCT usename FROM pg_stat_activity "
                        "WHERE application_name IN ('sweep', 'sweep-system', 'sweep-scheduler', 'sweep-sse-hub')")
    assert logins == [["sweep_app"]]
    assert stack.psql("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'sweep_app'") == [
        ["f", "f", "f", "f"]]
    assert as_app(stack, "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user") == [
        ["sweep_app", "f", "f"]]
    # The system role it can switch to is not inherited: on its own the app holds none of its rights.
    assert as_app(stack, "SELECT pg_has_role('sweep_system', 'USAGE'), pg_has_role('sweep_system', 'MEMBER')") == [["f", "t"]]


def test_a_query_without_the_tenant_setting_sees_no_rows_as_the_app_role(stack, user, other_user):
    assert int(stack.psql("SELECT count(*) FROM api_keys")[0][0]) >= 2
    assert int(stack.psql("SELECT count(*) FROM users")[0][0]) >= 2
    for table in ("api_keys", "users", "sessions", "destinations", "workflows", "launches", "task_runs", "events"):
        assert as_app(stack, f"SELECT count(*) FROM {table}") == [["0"]], table
        assert as_app(stack, f"BEGIN; SET LOCAL ROLE sweep_tenant; SELECT count(*) FROM {table}; COMMIT;") == [["0"]], table
    # Scoped to one user, the same query sees that user's rows only.
    uid = stack.psql("SELECT id FROM users WHERE username = :'p1'", user.username)[0][0]
    rows = as_app(stack, f"SELECT set_config('sweep.user_id', '{int(uid)}', false); SELECT DISTINCT user_id FROM api_keys")
    assert rows[1:] == [[uid]]


def test_the_app_role_cannot_change_the_schema_or_become_the_owner(stack):
    for sql in ("CREATE TABLE intruder (id int)", "SET ROLE sweep_owner", "ALTER TABLE users DISABLE ROW LEVEL SECURITY",
                "DROP POLICY tenant_isolation ON api_keys"):
        result = subprocess.run(["psql", stack.database_url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                                capture_output=True, text=True)
        assert result.returncode != 0, sql
        assert "permission denied" in result.stderr or "must be owner" in result.stderr, result.stderr


def test_nothing_listens_on_tcp_and_there_is_no_trust_authentication(stack):
    assert stack.psql("SHOW listen_addresses") == []  # empty: the one line psql prints is blank
    # No socket of the cluster's processes is a TCP listener (inodes from /proc/<pid>/fd against /proc/net/tcp*).
    with open(os.path.join(pg_dir(stack), "pgdata", "postmaster.pid")) as f:
        postmaster = int(f.readline())
    pids = [postmaster] + [int(p) for p in subprocess.check_output(["pgrep", "-P", str(postmaster)], text=True).split()]
    inodes = set()
    for pid in pids:
        fd_dir = f"/proc/{pid}/fd"
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":  # TCP_LISTEN
                    listening.add(fields[9])
    assert inodes, "the postmaster holds sockets"
    assert not inodes & listening
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", stack.pg_port)) != 0
    # Every line of pg_hba.conf: local (socket) connections, by peer or scram-sha-256, never trust.
    with open(os.path.join(pg_dir(stack), "pgdata", "pg_hba.conf")) as f:
        rules = [line.split() for line in f if line.strip() and not line.startswith("#")]
    assert rules and all(r[0] == "local" and r[-1] in ("peer", "scram-sha-256") for r in rules)
    wrong = stack.database_url.replace("sweep_app:", "sweep_app:x", 1)
    result = subprocess.run(["psql", wrong, "-X", "-c", "SELECT 1"], capture_output=True, text=True)
    assert result.returncode != 0 and "password authentication failed" in result.stderr


def test_the_socket_folder_and_passwords_are_private(stack):
    assert os.stat(os.path.join(pg_dir(stack), "sock")).st_mode & 0o777 == 0o700
    for name in ("app.password", "owner.password"):
        assert os.stat(os.path.join(pg_dir(stack), name)).st_mode & 0o777 == 0o600
