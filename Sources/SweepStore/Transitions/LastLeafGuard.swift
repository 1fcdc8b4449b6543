/// What keeps a launch's end atomic when leaf successes commit on their own (`LeafCompletion.recordAlone`): a
/// statement whose successes would close the launch's last open runs fails (SQLSTATE `SW001`, rolling all of it
/// back), and its caller records them again in a transaction that ends the launch with them. Installed by the
/// Migrator with the other routines.
public enum LastLeafGuard {
    public static let name = "sweep_refuse_last_runs"
    /// The SQLSTATE of the refusal.
    public static let sqlState = "SW001"

    /// Answers `p_open` (the launch's open runs after a statement's successes), or fails when it is 0.
    public static let definition = """
        CREATE OR REPLACE FUNCTION \(name)(p_open integer) RETURNS integer LANGUAGE plpgsql AS $routine$
        BEGIN
            IF p_open = 0 THEN
                RAISE EXCEPTION 'these successes end their launch: record them with its end' USING ERRCODE = '\(sqlState)';
            END IF;
            RETURN p_open;
        END $routine$
        """
}
