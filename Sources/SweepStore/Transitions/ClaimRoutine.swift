/// `TaskRunSQL.claim` as a PL/pgSQL routine with one generic plan per session: the claim's shares and LATERALs
/// took milliseconds to plan, and a prepared statement re-plans its first executions (and whenever a custom plan
/// looks cheaper). Installed by the Migrator with the chain step; the text is the named statement's, unchanged.
public enum ClaimRoutine {
    public static let name = "sweep_claim"

    public static let definition = """
        CREATE OR REPLACE FUNCTION \(name)(p_limit integer, p_scheduler text, p_lease_seconds integer, p_now timestamptz)
        RETURNS TABLE (id bigint, launch_id text, user_id bigint, name text, task_id text, attempt integer, input jsonb, exec jsonb,
                       static_output jsonb, token text, max_runtime_seconds integer, announced bigint)
        LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $routine$
        #variable_conflict use_column
        BEGIN
            RETURN QUERY \(TaskRunSQL.claim.plpgsql(["limit": "p_limit", "scheduler": "p_scheduler", "lease": "p_lease_seconds", "now": "p_now"]));
        END $routine$
        """
}
