"""Issue 2: tenant isolation, enforced by scoped queries and backed by PostgreSQL row-level security."""


def count_keys(stack, user_id=None):
    scope = f"SELECT set_config('sweep.user_id', '{int(user_id)}', true);" if user_id is not None else ""
    rows = stack.psql(f"BEGIN; SET LOCAL ROLE sweep_tenant; {scope} SELECT count(*) FROM api_keys; COMMIT;")
    return int(rows[-1][0])


def user_id_of(stack, username):
    return int(stack.psql("SELECT id FROM users WHERE username = :'p1'", username)[0][0])


def test_row_level_security_hides_rows_without_user_scope(stack, user, other_user):
    total = int(stack.psql("SELECT count(*) FROM api_keys")[0][0])
    assert total >= 2  # each fixture user has a key
    # As the tenant role without a user scope: nothing at all.
    assert count_keys(stack) == 0
    # With a scope: exactly that user's rows, never the other's.
    mine = int(stack.psql("SELECT count(*) FROM api_keys WHERE user_id = (SELECT id FROM users WHERE username = :'p1')", user.username)[0][0])
    assert count_keys(stack, user_id_of(stack, user.username)) == mine
    rows = stack.psql(f"""BEGIN; SET LOCAL ROLE sweep_tenant;
        SELECT set_config('sweep.user_id', '{user_id_of(stack, user.username)}', true);
        SELECT DISTINCT user_id FROM api_keys; COMMIT;""")
    assert [r[0] for r in rows if r != [""]][1:] == [str(user_id_of(stack, user.username))]


def test_row_level_security_refuses_writes_into_another_tenant(stack, user, other_user):
    victim = user_id_of(stack, other_user.username)
    attacker = user_id_of(stack, user.username)
    import subprocess
    try:
        stack.psql(f"""BEGIN; SET LOCAL ROLE sweep_tenant; SELECT set_config('sweep.user_id', '{attacker}', true);
            INSERT INTO api_keys (id, user_id, name, key_hash) VALUES ('key_evil', {victim}, 'x', 'h'); COMMIT;""")
        raised = False
    except subprocess.CalledProcessError:
        raised = True
    assert raised
    assert stack.psql("SELECT count(*) FROM api_keys WHERE id = 'key_evil'")[0][0] == "0"


def test_keys_of_one_user_are_invisible_to_another(user, other_user):
    created = user.post("/api/v1/api-keys", json={"name": "private"}).json()
    listed = other_user.get("/api/v1/api-keys", params={"limit": 500}).json()["items"]
    assert created["id"] not in [k["id"] for k in listed]
    r = other_user.delete("/api/v1/api-keys/" + created["id"])
    assert r.status_code == 404
    assert user.get("/api/v1/api-keys", params={"limit": 500}).status_code == 200
    assert created["id"] in [k["id"] for k in user.get("/api/v1/api-keys", params={"limit": 500}).json()["items"]]
