"""What the bench sections run between measurements on the stack's database."""
import os
import subprocess


def vacuum_analyze(stack):
    """VACUUM ANALYZE as the database owner, so each measurement starts with the previous one's dead rows gone and
    statistics current. The owner may not vacuum the shared catalogs: PostgreSQL warns once per catalog (~50 lines),
    which said nothing about what is measured, so only errors are shown."""
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=error")
    subprocess.run(["psql", stack.owner_url, "-q", "-c", "VACUUM ANALYZE"], check=True, env=env)
