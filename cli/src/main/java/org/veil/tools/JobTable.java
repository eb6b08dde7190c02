package org.veil.tools;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.veil.catalog.CatalogColumns.Attribute;
import org.veil.error.ServerState;
import org.veil.error.VeilError;

/**
 * Where a job's state lives, in the application database, so that a job survives its process
 * and several workers (on one machine or many) share it:
 *
 * <pre>{@code
 * veil_jobs           (job PK, command, target, planned_rows, range_rows, created_at, finished_at,
 *                      table_oid, table_columns)
 * veil_jobs_ranges    (job, range_no, lo text[], hi text[])        -- immutable; the lease rows
 * veil_jobs_progress  (job, range_no, last_key text[], rows_seen, rows_changed,
 *                      rows_already_done, rows_left_failed, rows_gone, done, workers)
 * veil_jobs_conversions (schema_name, table_name, column_name PK, job, shadow, kept_aside,
 *                      state: backfill | swapped | dropped, started_at, swapped_at, dropped_at)
 * }</pre>
 *
 * <p>A range covers the keys in {@code (lo, hi]} (null: unbounded). A worker leases a range by
 * locking its {@code _ranges} row with {@code SELECT … FOR UPDATE SKIP LOCKED} in a transaction
 * it keeps open on a connection of its own for as long as it works on the range: a second
 * worker skips it, and when a worker dies its connection closes, the lock goes, and the next
 * worker takes the range over at once. The range's progress row is updated in the same
 * transaction as each batch of data, so after a crash the range resumes after the last batch
 * that committed, and no committed batch is done again.
 *
 * <p>A job records the identity of the table it was planned on ({@link Identity}: its OID, and
 * the names and types of its key and of the columns it rewrites), so that a table dropped and
 * created again under the same name is not taken for the one a finished job walked. Thread-safe
 * (stateless apart from the names).
 */
final class JobTable {

  private static final Pattern IDENTIFIER =
      Pattern.compile("([a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*");

  private final String jobs;
  private final String ranges;
  private final String progress;
  private final String conversions;

  JobTable(String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("--job-table " + name
          + " is not a plain lower-case [schema.]table name");
    }
    this.jobs = name;
    this.ranges = name + "_ranges";
    this.progress = name + "_progress";
    this.conversions = name + "_conversions";
  }

  /** A leased range; the lease holds as long as {@link #lease} stays open and uncommitted. */
  record Range(int number, String[] lo, String[] hi, String[] lastKey, Connection lease) {}

  /**
   * What a job has done so far, over every batch that committed, whichever worker and run did
   * it: {@code rowsSeen == rowsChanged + rowsAlreadyDone + rowsLeftFailed + rowsGone}.
   *
   * @param identity the table the job was planned on; null for a job planned before Veil
   *     recorded it
   */
  record Summary(long plannedRows, int ranges, int rangesDone, long rowsSeen, long rowsChanged,
      long rowsAlreadyDone, long rowsLeftFailed, long rowsGone, boolean finished,
      Identity identity) {

    /** The row counts, in words. */
    String counts() {
      return rowsSeen + " rows seen, " + rowsChanged + " rewritten, " + rowsAlreadyDone
          + " already done, " + rowsLeftFailed + " left as they are, " + rowsGone
          + " deleted meanwhile";
    }

    /** Whether the job was planned on {@code table} (or on a table Veil did not record). */
    boolean ranOn(Identity table) {
      return identity == null || identity.equals(table);
    }
  }

  /**
   * Which table a job works on, as the catalog has it: a table dropped and created again gets
   * another OID, a column changed in type or renamed another column list.
   *
   * @param oid the table's {@code pg_class} OID
   * @param columns the names and types of the table's key and of the job's columns, e.g.
   *     {@code key (id bigint); name text, photo bytea}; never null
   */
  record Identity(long oid, String columns) {

    /** The identity of {@code target}'s table now, read from the catalog on {@code c}. */
    static Identity of(Connection c, TableTarget target) throws SQLException {
      Map<String, Attribute> attributes = target.attributes(c);
      long oid = attributes.isEmpty() ? 0 : attributes.values().iterator().next().tableOid();
      List<String> rewritten = target.columns().stream().map(TableTarget.Column::name).toList();
      return new Identity(oid, "key (" + typed(target.keyColumns(), attributes) + "); "
          + typed(rewritten, attributes));
    }

    private static String typed(List<String> names, Map<String, Attribute> attributes) {
      List<String> out = new ArrayList<>();
      for (String n : names) {
        Attribute a = attributes.get(n);
        out.add(n + " " + (a == null ? "(missing)" : a.typeWithModifier()));
      }
      return String.join(", ", out);
    }

    @Override
    public String toString() {
      return "table OID " + oid + ", " + columns;
    }
  }

  void create(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(" + lockId("create") + ")");
      s.execute("CREATE TABLE IF NOT EXISTS " + jobs + " (job text PRIMARY KEY,"
          + " command text NOT NULL, target text NOT NULL, planned_rows bigint NOT NULL,"
          + " range_rows integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),"
          + " finished_at timestamptz, table_oid bigint, table_columns text)");
      addIdentityColumns(c);
      s.execute("CREATE TABLE IF NOT EXISTS " + ranges + " (job text NOT NULL REFERENCES "
          + jobs + " ON DELETE CASCADE, range_no integer NOT NULL, lo text[], hi text[],"
          + " PRIMARY KEY (job, range_no))");
      s.execute("CREATE TABLE IF NOT EXISTS " + progress + " (job text NOT NULL,"
          + " range_no integer NOT NULL, last_key text[], rows_seen bigint NOT NULL DEFAULT 0,"
          + " rows_changed bigint NOT NULL DEFAULT 0,"
          + " rows_already_done bigint NOT NULL DEFAULT 0,"
          + " rows_left_failed bigint NOT NULL DEFAULT 0, rows_gone bigint NOT NULL DEFAULT 0,"
          + " done boolean NOT NULL DEFAULT false,"
          + " workers text[] NOT NULL DEFAULT '{}', updated_at timestamptz,"
          + " PRIMARY KEY (job, range_no), FOREIGN KEY (job, range_no) REFERENCES " + ranges
          + " ON DELETE CASCADE)");
      addCounts(c);
      s.execute("CREATE TABLE IF NOT EXISTS " + conversions + " (schema_name text NOT NULL,"
          + " table_name text NOT NULL, column_name text NOT NULL, job text NOT NULL,"
          + " shadow text NOT NULL, kept_aside text NOT NULL, state text NOT NULL CHECK (state"
          + " IN ('backfill', 'swapped', 'dropped')), started_at timestamptz NOT NULL DEFAULT"
          + " now(), swapped_at timestamptz, dropped_at timestamptz,"
          + " PRIMARY KEY (schema_name, table_name, column_name))");
    }
  }

  /** Gives a job table made before table identities were recorded their columns. */
  private void addIdentityColumns(Connection c) throws SQLException {
    addMissingColumns(c, jobs, "table_columns", "ADD COLUMN IF NOT EXISTS table_oid bigint,"
        + " ADD COLUMN IF NOT EXISTS table_columns text", "table_oid and table_columns");
  }

  /** Gives a progress table made before rows were counted by what became of them those counts. */
  private void addCounts(Connection c) throws SQLException {
    addMissingColumns(c, progress, "rows_gone",
        "ADD COLUMN IF NOT EXISTS rows_already_done bigint NOT NULL DEFAULT 0,"
        + " ADD COLUMN IF NOT EXISTS rows_left_failed bigint NOT NULL DEFAULT 0,"
        + " ADD COLUMN IF NOT EXISTS rows_gone bigint NOT NULL DEFAULT 0",
        "rows_already_done, rows_left_failed and rows_gone");
  }

  /**
   * Adds columns to a job table made by an earlier Veil, unless {@code lastColumn} (the last one
   * added) is there. Looks first: the ALTER TABLE waits for every worker's lease (which reads
   * the table for as long as the worker holds a range), and while it waits those workers'
   * batches queue behind it. So it waits 10 s at most, and then asks for the older workers to
   * finish first.
   */
  private static void addMissingColumns(Connection c, String table, String lastColumn,
      String alterations, String names) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_attribute"
        + " WHERE attrelid = CAST(? AS regclass) AND attname = ? AND NOT attisdropped")) {
      ps.setString(1, table);
      ps.setString(2, lastColumn);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
    }
    boolean autoCommit = c.getAutoCommit();
    try (Statement s = c.createStatement()) {
      s.execute((autoCommit ? "SET" : "SET LOCAL") + " lock_timeout = '10s'");
      try {
        s.execute("ALTER TABLE " + table + " " + alterations);
      } catch (SQLException e) {
        if (ServerState.LOCK_NOT_AVAILABLE.matches(e)) {
          throw new SQLException("the job table " + table + " was made by an earlier version"
              + " of Veil and needs the columns " + names + ", but workers of that version hold"
              + " it; let them finish (or stop them), then run again",
              VeilError.NOT_READY.sqlState(), e);
        }
        throw e;
      }
      // Back to the session's setting: planning waits for other workers as long as it takes.
      s.execute(autoCommit ? "RESET lock_timeout" : "SET LOCAL lock_timeout TO DEFAULT");
    }
  }

  /** An advisory lock key for {@code job} in these job tables. */
  long lockId(String job) {
    return (0x5645494cL << 32) | ((jobs + "|" + job).hashCode() & 0xffffffffL);
  }

  /**
   * Plans {@code job} unless it is planned already: splits the table into ranges of about
   * {@code rangeRows} rows by its key. Runs under an advisory lock, so workers that start
   * together plan once. With {@code restart}, a finished job of that name is dropped first.
   *
   * @return true when this call planned it
   */
  boolean plan(Connection c, String job, String command, TableTarget target, int rangeRows,
      boolean restart) throws SQLException {
    return plan(c, job, command, target, Identity.of(c, target), rangeRows,
        s -> restart && s.finished());
  }

  /**
   * Plans {@code job} on the table whose identity is {@code identity}, as
   * {@link #plan(Connection, String, String, TableTarget, int, boolean)}, dropping an existing
   * job of that name first when {@code replace} says so of its summary (read under the advisory
   * lock, so that of workers starting together one replaces it, and the others find the new
   * job).
   *
   * @return true when this call planned it
   */
  boolean plan(Connection c, String job, String command, TableTarget target, Identity identity,
      int rangeRows, java.util.function.Predicate<Summary> replace) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      create(c);
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        ps.setLong(1, lockId(job));
        ps.execute();
      }
      Optional<Summary> existing = summary(c, job);
      if (existing.isPresent() && replace.test(existing.get())) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + jobs
            + " WHERE job = ?")) {
          ps.setString(1, job);
          ps.executeUpdate();
        }
        existing = Optional.empty();
      }
      if (existing.isPresent()) {
        c.commit();
        return false;
      }
      List<String[]> bounds = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(target.rangeBoundaries())) {
        ps.setInt(1, rangeRows);
        ps.setFetchSize(1000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            bounds.add(target.readKey(rs));
          }
        }
      }
      long planned;
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM " + target.sqlName())) {
        rs.next();
        planned = rs.getLong(1);
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + jobs
          + " (job, command, target, planned_rows, range_rows, table_oid, table_columns)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, job);
        ps.setString(2, command);
        ps.setString(3, target.toString());
        ps.setLong(4, planned);
        ps.setInt(5, rangeRows);
        ps.setLong(6, identity.oid());
        ps.setString(7, identity.columns());
        ps.executeUpdate();
      }
      try (PreparedStatement r = c.prepareStatement("INSERT INTO " + ranges
              + " (job, range_no, lo, hi) VALUES (?, ?, ?, ?)");
          PreparedStatement p = c.prepareStatement("INSERT INTO " + progress
              + " (job, range_no) VALUES (?, ?)")) {
        String[] lo = null;
        // The last range has no upper bound: it also takes rows inserted after planning.
        for (int i = 0; i <= bounds.size(); i++) {
          String[] hi = i < bounds.size() ? bounds.get(i) : null;
          r.setString(1, job);
          r.setInt(2, i);
          r.setArray(3, lo == null ? null : c.createArrayOf("text", lo));
          r.setArray(4, hi == null ? null : c.createArrayOf("text", hi));
          r.addBatch();
          p.setString(1, job);
          p.setInt(2, i);
          p.addBatch();
          lo = hi;
        }
        r.executeBatch();
        p.executeBatch();
      }
      c.commit();
      return true;
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /**
   * Leases the first range that is not done and that no live worker holds, on {@code lease}
   * (a connection of its own, left in an open transaction while the range is worked on).
   *
   * @return the range, or empty when none is free right now
   */
  Optional<Range> lease(Connection lease, String job, String worker) throws SQLException {
    lease.setAutoCommit(false);
    try (Statement s = lease.createStatement()) {
      // The lease transaction sits idle while batches run on another connection.
      s.execute("SET LOCAL idle_in_transaction_session_timeout = 0");
    }
    try (PreparedStatement ps = lease.prepareStatement("SELECT r.range_no, r.lo, r.hi,"
        + " p.last_key FROM " + ranges + " r JOIN " + progress + " p USING (job, range_no)"
        + " WHERE r.job = ? AND NOT p.done ORDER BY r.range_no LIMIT 1"
        + " FOR UPDATE OF r SKIP LOCKED")) {
      ps.setString(1, job);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          lease.rollback();
          return Optional.empty();
        }
        Range range = new Range(rs.getInt(1), TableTarget.fromArray(rs.getArray(2)),
            TableTarget.fromArray(rs.getArray(3)), TableTarget.fromArray(rs.getArray(4)),
            lease);
        return Optional.of(range);
      }
    }
  }

  /** Notes that {@code worker} took the range (its own short transaction on {@code c}). */
  void noteWorker(Connection c, String job, int range, String worker) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + progress
        + " SET workers = array_append(workers, ?), updated_at = now()"
        + " WHERE job = ? AND range_no = ?")) {
      ps.setString(1, worker);
      ps.setString(2, job);
      ps.setInt(3, range);
      ps.executeUpdate();
    }
    c.commit();
  }

  /**
   * Records a batch's progress and its row counts ({@code batch}: this batch's alone); the
   * caller runs it in the batch's own transaction, so the progress, the counts and the data
   * commit together, and a batch rolled back is counted nowhere.
   */
  void recordBatch(Connection c, String job, int range, String[] lastKey,
      CellRewrite.Tally batch, boolean done) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + progress
        + " SET last_key = COALESCE(?, last_key), rows_seen = rows_seen + ?,"
        + " rows_changed = rows_changed + ?, rows_already_done = rows_already_done + ?,"
        + " rows_left_failed = rows_left_failed + ?, rows_gone = rows_gone + ?, done = ?,"
        + " updated_at = now() WHERE job = ? AND range_no = ?")) {
      ps.setArray(1, lastKey == null ? null : c.createArrayOf("text", lastKey));
      ps.setLong(2, batch.rows);
      ps.setLong(3, batch.changed);
      ps.setLong(4, batch.alreadyDone);
      ps.setLong(5, batch.leftFailed);
      ps.setLong(6, batch.gone);
      ps.setBoolean(7, done);
      ps.setString(8, job);
      ps.setInt(9, range);
      ps.executeUpdate();
    }
  }

  /** Marks the job finished when every range is done; returns whether it is. */
  boolean finishIfDone(Connection c, String job) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + jobs
        + " SET finished_at = now() WHERE job = ? AND finished_at IS NULL AND NOT EXISTS"
        + " (SELECT 1 FROM " + progress + " WHERE job = ? AND NOT done)")) {
      ps.setString(1, job);
      ps.setString(2, job);
      ps.executeUpdate();
    }
    boolean autoCommit = c.getAutoCommit();
    if (!autoCommit) {
      c.commit();
    }
    return summary(c, job).map(Summary::finished).orElse(false);
  }

  Optional<Summary> summary(Connection c, String job) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT j.planned_rows,"
        + " count(p.range_no), count(p.range_no) FILTER (WHERE p.done),"
        + " coalesce(sum(p.rows_seen), 0), coalesce(sum(p.rows_changed), 0),"
        + " coalesce(sum(p.rows_already_done), 0), coalesce(sum(p.rows_left_failed), 0),"
        + " coalesce(sum(p.rows_gone), 0), j.finished_at IS NOT NULL,"
        + " (SELECT to_jsonb(x) ->> 'table_oid' FROM " + jobs + " x WHERE x.job = j.job),"
        + " (SELECT to_jsonb(x) ->> 'table_columns' FROM " + jobs + " x WHERE x.job = j.job)"
        + " FROM " + jobs + " j LEFT JOIN " + progress
        + " p ON p.job = j.job WHERE j.job = ? GROUP BY j.job")) {
      ps.setString(1, job);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        // Through the row's JSON form, so a job table made before the columns reads too.
        String oid = rs.getString(10);
        String columns = rs.getString(11);
        Identity identity = oid == null || columns == null ? null
            : new Identity(Long.parseLong(oid), columns);
        return Optional.of(new Summary(rs.getLong(1), rs.getInt(2), rs.getInt(3),
            rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8),
            rs.getBoolean(9), identity));
      }
    } catch (SQLException e) {
      if (ServerState.UNDEFINED_TABLE.matches(e)) {
        if (!c.getAutoCommit()) {
          c.rollback();
        }
        return Optional.empty();
      }
      throw e;
    }
  }

  String name() {
    return jobs;
  }

  /** The table that records column conversions to bytea, one row per column. */
  String conversions() {
    return conversions;
  }
}
