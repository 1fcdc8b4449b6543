import SweepStates

/// The chain fast path as one PL/pgSQL routine, built from the statements every other path runs: a success whose
/// one successor is plain (`Planner.plainSuccessor`) is recorded (`TaskRunSQL.recordSuccesses`), the successor,
/// prepared by the scheduler's planner, is started (`TaskRunSQL.start`, which logs its `task.scheduled` first),
/// and the launch counts one run finished and one admitted (`LaunchSQL.countSucceeded`): one round trip in
/// autocommit instead of a transaction of nine. It changes nothing and returns no row unless everything is as the
/// planner assumed (the launch running without max_task_concurrency, the run still at this attempt, the successor
/// pending on this run alone and undelayed); the caller then takes the general path.
///
/// The Migrator installs the text below (CREATE OR REPLACE) after the migrations on every `migrate`, so the
/// routine is always the one these statements make: there is no second copy to keep in step.
public enum ChainStepRoutine {
    public static let name = "sweep_chain_step"

    /// What the routine's statements read for their named inputs.
    static let inputs = [
        "now": "coalesce(p_now, v_started)", "scheduler": "p_scheduler", "lease": "p_lease_seconds", "launch": "v_launch.id", "admitted": "1",
    ]

    public static let definition = """
        CREATE OR REPLACE FUNCTION \(name)(
            p_run bigint, p_attempt integer, p_output jsonb, p_logs text, p_finished double precision,
            p_next text, p_input jsonb, p_exec jsonb, p_static_output jsonb, p_scheduler text, p_lease_seconds integer,
            p_now timestamptz)
        RETURNS TABLE (id bigint, launch_id text, user_id bigint, name text, task_id text, attempt integer, input jsonb, exec jsonb,
                       static_output jsonb, token text, max_runtime_seconds integer)
        -- Generic plans from the first call: every statement here is a key lookup, and planning each of them afresh
        -- for a session's first five calls put milliseconds into a chain's first edges.
        LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $routine$
        #variable_conflict use_column
        DECLARE
            v_launch launches%ROWTYPE;
            v_done task_runs%ROWTYPE;
            v_next task_runs%ROWTYPE;
            v_recorded integer;
            v_started timestamptz;
        BEGIN
            -- Lock order as in the general path: the launch, then its runs.
            SELECT * INTO v_launch FROM launches l WHERE l.id = (SELECT t.launch_id FROM task_runs t WHERE t.id = p_run) FOR NO KEY UPDATE;
            IF NOT FOUND OR v_launch.state <> \(LaunchState.running.sql) OR v_launch.max_concurrency IS NOT NULL THEN RETURN; END IF;
            SELECT * INTO v_done FROM task_runs t WHERE t.id = p_run AND t.state = \(RunState.running.sql) AND t.attempt = p_attempt FOR UPDATE;
            IF NOT FOUND THEN RETURN; END IF;
            SELECT * INTO v_next FROM task_runs t WHERE t.launch_id = v_launch.id AND t.name = p_next FOR UPDATE;
            IF NOT FOUND OR v_next.state <> \(RunState.pending.sql) OR v_next.kind <> \(RunKind.task.sql) OR v_next.waiting_on <> 1
               OR v_next.delay_seconds <> 0 OR v_next.predecessors <> ARRAY[v_done.name] OR v_done.successors <> ARRAY[p_next] THEN
                RETURN;
            END IF;
            -- The successor starts now, when the step is decided (as the general path's claim stamps it), not after
            -- the statements below have written.
            v_started := clock_timestamp();

            WITH results AS (
                SELECT p_run AS id, p_attempt AS attempt, p_output AS output, p_logs AS logs, p_finished AS finished
            ), \(TaskRunSQL.recordSuccesses.plpgsql(inputs))
            SELECT count(*) INTO v_recorded FROM done;

            RETURN QUERY WITH picked AS (
                SELECT v_next.id AS id, sweep_new_token(v_next.id) AS token, p_input AS input, p_exec AS exec, p_static_output AS static_output
            ), \(TaskRunSQL.start(startingLaunches: false).plpgsql(inputs))
            SELECT c.id, c.launch_id::text, c.user_id, c.name, c.task_id, c.attempt, c.input, c.exec, c.static_output, c.token,
                   v_launch.max_runtime_seconds
            FROM claimed c;

            WITH done AS (SELECT p_run AS id WHERE v_recorded > 0), \(SQLTemplate(LaunchSQL.countSucceeded()).plpgsql(inputs))
            SELECT count(*) INTO v_recorded FROM counted;
            PERFORM pg_notify('\(EventWriter.channel)', v_launch.id::text);
        END $routine$
        """

    /// Routines the Migrator (re)installs after the migrations.
    public static let all = [definition, ClaimRoutine.definition]
}
