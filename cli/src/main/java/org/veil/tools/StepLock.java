package org.veil.tools;

import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.veil.error.ServerState;
import org.veil.error.VeilError;

/**
 * Runs the schema changes of a conversion. Each step is one transaction that waits at most
 * {@code --lock-timeout} for any lock it needs, so that the application's statements never queue
 * behind it for longer, and that is tried again, up to {@code --lock-attempts} times, when a lock
 * was not granted in time. Each step first takes an advisory lock of the table's conversion, so
 * that workers running the same command take the steps one at a time; that wait has no limit,
 * since it holds up no application session. A step must decide on what it reads in its own
 * transaction, under that lock, not on what was read before it: another worker may have taken
 * the step meanwhile. Stateless between steps.
 */
final class StepLock {

  /** One step, run in a transaction that the caller commits when it returns true. */
  interface Step {
    /** @return true when the step is done; false to roll back (the caller decides what next) */
    boolean run(Connection c) throws SQLException, GeneralSecurityException;
  }

  /** lock_not_available (lock_timeout), deadlock_detected. */
  private static final List<String> GIVE_WAY = List.of(ServerState.LOCK_NOT_AVAILABLE.sqlState(),
      ServerState.DEADLOCK_DETECTED.sqlState());

  private final String table;
  private final long lockId;
  private final int lockTimeoutMillis;
  private final int lockAttempts;
  private final PrintStream log;

  /**
   * The steps of {@code target}'s conversions, to bytea and back: one advisory lock for both,
   * so that what either decides (start, swap, drop) it decides with the other held off.
   */
  StepLock(TableTarget target, JobTable jobs, ConversionOptions options, PrintStream log) {
    this(target.qualifiedName(), jobs.lockId("convert-to-bytea " + target.qualifiedName()),
        options.lockTimeoutMillis, options.lockAttempts, log);
  }

  /**
   * Steps on {@code table} (its {@code schema.table} name, for messages) under the advisory lock
   * {@code lockId}.
   */
  StepLock(String table, long lockId, int lockTimeoutMillis, int lockAttempts, PrintStream log) {
    this.table = table;
    this.lockId = lockId;
    this.lockTimeoutMillis = lockTimeoutMillis;
    this.lockAttempts = lockAttempts;
    this.log = log;
  }

  /**
   * Runs {@code step}; {@code what} completes "could not … table" in messages.
   *
   * @return what the step returned
   * @throws SQLException 55P03 when the locks were not granted in any attempt; the step's own
   *     errors as they are
   */
  boolean run(Database db, String what, Step step) throws SQLException,
      GeneralSecurityException, InterruptedException {
    try (Connection c = db.openForBatches()) {
      for (int attempt = 1; ; attempt++) {
        try {
          // Waits as long as another worker's step takes: that blocks no application session.
          try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, lockId);
            ps.execute();
          }
          try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = " + lockTimeoutMillis);
          }
          boolean done = step.run(c);
          if (done) {
            c.commit();
          } else {
            c.rollback();
          }
          return done;
        } catch (SQLException e) {
          c.rollback();
          if (!GIVE_WAY.contains(e.getSQLState())) {
            throw e;
          }
          if (attempt >= lockAttempts) {
            throw new SQLException("could not " + what + " " + table
                + ": its lock was not granted within " + lockTimeoutMillis + " ms in "
                + attempt + " attempts, because other sessions hold it (long transactions? see"
                + " pg_stat_activity and pg_locks). This step changed nothing; run the same"
                + " command again when they are gone, or give a larger --lock-timeout or"
                + " --lock-attempts.", VeilError.LOCK_NOT_AVAILABLE.sqlState(), e);
          }
          log.println("could not " + what + " " + table + " within "
              + lockTimeoutMillis + " ms (attempt " + attempt + " of "
              + lockAttempts + "): other sessions hold its lock; trying again");
          Thread.sleep(Math.min(200L * attempt, 2000L));
        }
      }
    }
  }
}
