package org.veil.tools;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.veil.error.ServerState;
import org.veil.error.VeilError;

/**
 * Where a job's state lives, in the application database, so that a job survives its process
 * and several workers (on one machine or many) share it:
 *
 * <pre>{@code
 * veil_jobs           (job PK, command, target, planned_rows, range_rows, created_at, finished_at)
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
 * that committed, and no committed batch is done again. Thread-safe (stateless apart from the
 * names).
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
   */
  record Summary(long plannedRows, int ranges, int rangesDone, long rowsSeen, long rowsChanged,
      long rowsAlreadyDone, long rowsLeftFailed, long rowsGone, boolean finished) {

    /** The row counts, in words. */
    String counts() {
      return rowsSeen + " rows seen, " + rowsChanged + " rewritten, " + rowsAlreadyDone
          + " already done, " + rowsLeftFailed + " left as they are, " + rowsGone
          + " deleted meanwhile";
    }
  }

  void create(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(" + lockId("create") + ")");
      s.execute("CREATE TABLE IF NOT EXISTS " + jobs + " (job text PRIMARY KEY,"
          + " command text NOT NULL, target text NOT NULL, planned_rows bigint NOT NULL,"
          + " range_rows integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),"
          + " finished_at timestamptz)");
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

  /**
   * Gives a progress table made before rows were counted by what became of them those counts.
   * Looks first: the ALTER TABLE waits for every worker's lease (which reads the table for as
   * long as the worker holds a range), and while it waits those workers' batches queue behind
   * it. So it waits 10 s at most, and then asks for the older workers to finish first.
   */
  private void addCounts(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_attribute"
        + " WHERE attrelid = CAST(? AS regclass) AND attname = 'rows_gone'"
        + " AND NOT attisdropped")) {
      ps.setString(1, progress);
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
        s.execute("ALTER TABLE " + progress
            + " ADD COLUMN IF NOT EXISTS rows_already_done bigint NOT NULL DEFAULT 0,"
            + " ADD COLUMN IF NOT EXISTS rows_left_failed bigint NOT NULL DEFAULT 0,"
            + " ADD COLUMN IF NOT EXISTS rows_gone bigint NOT NULL DEFAULT 0");
      } catch (SQLException e) {
        if (ServerState.LOCK_NOT_AVAILABLE.matches(e)) {
          throw new SQLException("the job table " + progress + " was made by an earlier"
              + " version of Veil and needs the columns rows_already_done, rows_left_failed"
              + " and rows_gone, but workers of that version hold it; let them finish (or stop"
              + " them), then run again", VeilError.NOT_READY.sqlState(), e);
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
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      create(c);
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        ps.setLong(1, lockId(job));
        ps.execute();
      }
      Optional<Summary> existing = summary(c, job);
      if (existing.isPresent() && restart && existing.get().finished()) {
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
          + " (job, command, target, planned_rows, range_rows) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, job);
        ps.setString(2, command);
        ps.setString(3, target.toString());
        ps.setLong(4, planned);
        ps.setInt(5, rangeRows);
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
        + " coalesce(sum(p.rows_gone), 0), j.finished_at IS NOT NULL FROM " + jobs + " j LEFT JOIN " + progress
        + " p ON p.job = j.job WHERE j.job = ? GROUP BY j.job")) {
      ps.setString(1, job);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Summary(rs.getLong(1), rs.getInt(2), rs.getInt(3),
            rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8),
            rs.getBoolean(9)));
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
