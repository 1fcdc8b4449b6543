/// `TaskRunSQL.claim` as a PL/pgSQL routine with one generic plan per session: the claim's shares and LATERALs
/// took milliseconds to plan, and a prepared statement re-plans its first executions (and whenever a custom plan
/// looks cheaper). Installed by the Migrator with the chain step; the text is the named statement's, unchanged.
/// `p_running_cap` is the default max running runs per user (`LimitDefaults.maxRunningRuns`); the routine runs
/// `TaskRunSQL.lockUsersNearCap` first, as its own statement, so the claim's snapshot follows those locks.
///
/// Nested loops over indexes only (no hash, merge, materialised or sequential scan of a table): every join of the
/// claim meets a batch (at most `p_limit` runs, their users and launches) with rows found by key, so that plan is
/// right whatever the table holds. A generic plan is made once per session, with the table as it is then: planned
/// while task_runs was small (a fresh database, the first claims of a launch), the start UPDATE hashed a seq scan of
/// the whole table against the picked runs for as long as the session lived, 50-140 ms a claim once the table held
/// 20,000 runs; with hash joins off alone it rescanned a materialised copy of the table for every picked run
/// (auto_explain and pg_stat_statements, issue 17, branch tpw).
public enum ClaimRoutine {
    public static let name = "sweep_claim"

    static let inputs = ["limit": "p_limit", "scheduler": "p_scheduler", "lease": "p_lease_seconds", "now": "p_now", "running_cap": "p_running_cap"]

    public static let definition = """
        CREATE OR REPLACE FUNCTION \(name)(p_limit integer, p_scheduler text, p_lease_seconds integer, p_now timestamptz, p_running_cap integer)
        RETURNS TABLE (id bigint, launch_id text, user_id bigint, name text, task_id text, attempt integer, input text, exec jsonb,
                       static_output jsonb, token text, max_runtime_seconds integer, announced bigint)
        LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_hashjoin = off SET enable_mergejoin = off SET enable_material = off SET enable_seqscan = off AS $routine$
        #variable_conflict use_column
        DECLARE
            v_held bigint[];
            v_users bigint[];
            v_rooms bigint[];
            v_near_users bigint[];
        BEGIN
            -- Two statements: the claim's snapshot is taken after the locks of the users near their cap.
            SELECT x.held, x.users, x.rooms, x.near_users INTO v_held, v_users, v_rooms, v_near_users
            FROM (\(TaskRunSQL.lockUsersNearCap.plpgsql(inputs))) AS x;
            RETURN QUERY \(TaskRunSQL.claim.plpgsql(inputs.merging(["held": "v_held", "users": "v_users", "rooms": "v_rooms", "near_users": "v_near_users"]) { a, _ in a }));
        END $routine$
        """
}
