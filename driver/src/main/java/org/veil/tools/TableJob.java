package org.veil.tools;

import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.veil.error.ServerState;
import org.veil.error.VeilError;
import org.veil.tools.TableTarget.Column;
import org.veil.catalog.StorageForm;

/**
 * One worker of a job that rewrites the encrypted columns of one table, online.
 *
 * <ul>
 *   <li>Keyset pagination by the table's key, {@code batchSize} rows per batch, each batch in
 *       its own transaction together with the range's progress: memory stays bounded by one
 *       batch, and a killed job resumes after its last committed batch.</li>
 *   <li>Each row is written with a compare-and-set ({@code WHERE key = ? AND col IS NOT
 *       DISTINCT FROM <what was read>}), so a value the application wrote meanwhile is never
 *       overwritten: the row is read again and handled anew. The binding columns of row-bound
 *       columns are read with the row and compared in the same way, so a cell is only ever
 *       written into a row that holds the binding value it was sealed or opened with.</li>
 *   <li>Ranges are leased through {@link JobTable}, so several workers share a job.</li>
 * </ul>
 * Not thread-safe: one worker, one thread; run more processes for more workers.
 */
final class TableJob {

  /** SQLSTATEs after which the batch is rolled back and tried again. */
  private static final List<String> RETRYABLE = List.of(
      ServerState.SERIALIZATION_FAILURE.sqlState(), ServerState.DEADLOCK_DETECTED.sqlState(),
      ServerState.LOCK_NOT_AVAILABLE.sqlState());
  private static final int RETRIES = 10;

  private final Database db;
  private final JobTable jobs;
  private final TableTarget target;
  private final CellRewrite rewrite;
  private final JobOptions options;
  private final PrintStream log;
  private final CellRewrite.Tally tally = new CellRewrite.Tally();
  private final RateLimit rate;
  private boolean started;

  TableJob(Database db, JobTable jobs, TableTarget target, CellRewrite rewrite,
      JobOptions options, PrintStream log) {
    this.db = db;
    this.jobs = jobs;
    this.target = target;
    this.rewrite = rewrite;
    this.options = options;
    this.log = log;
    this.rate = new RateLimit(options.rowsPerSecond);
  }

  CellRewrite.Tally tally() {
    return tally;
  }

  /** Whether {@link #run} got as far as a job in the job table: one to resume after a failure. */
  boolean started() {
    return started;
  }

  /**
   * Runs the job named {@code job} until every range is done (waiting for ranges other live
   * workers hold, taking them over if those workers die).
   *
   * <p>A job planned on another table of the same name (dropped and created again, or with its
   * columns changed) is replaced by a new one. A job that finished already is done only if no
   * row of the table matches {@code leftOver} now (counted by the server); otherwise, since
   * values were written after it had passed them (by a writer without Veil, or into a table
   * reloaded under it), a new job is planned and run.
   *
   * @param leftOver SQL over the table's columns, true for a row that still holds work for this
   *     command (a plaintext value for encrypt-existing, a cell for decrypt-column, ...)
   */
  void run(String job, String command, String leftOver) throws SQLException,
      GeneralSecurityException, InterruptedException {
    try (Connection admin = db.open()) {
      JobTable.Identity table = JobTable.Identity.of(admin, target);
      boolean recreated = jobs.summary(admin, job).map(s -> !s.ranOn(table)).orElse(false);
      boolean planned = jobs.plan(admin, job, command, target, table, options.rangeRows,
          s -> (options.restart && s.finished()) || !s.ranOn(table));
      started = true;
      if (planned && recreated) {
        log.println("table " + target.qualifiedName() + " is not the table job " + job
            + " ran on (it was recreated, or its columns changed): starting a new job");
      }
      if (planned) {
        log.println("planned job " + job + " on " + target);
      }
      JobTable.Summary s = jobs.summary(admin, job).orElseThrow();
      if (s.finished()) {
        long left = count(admin, leftOver);
        if (left == 0) {
          log.println("job " + job + " finished already (" + s.rowsSeen() + " rows seen, "
              + s.rowsChanged() + " rewritten), and no row of " + target.qualifiedName()
              + " is left to do; pass --restart to run it again");
          return;
        }
        log.println("job " + job + " finished before, but " + left + " rows of "
            + target.qualifiedName() + " were left to do or written since: starting a new job");
        jobs.plan(admin, job, command, target, table, options.rangeRows,
            JobTable.Summary::finished);
        s = jobs.summary(admin, job).orElseThrow();
      }
      log.println("job " + job + ": " + s.rangesDone() + "/" + s.ranges() + " ranges done, "
          + s.rowsSeen() + " rows seen so far");
      try (Connection lease = db.open();
          Connection data = db.openForBatches();
          Progress progress = Progress.start(options.progress, command + " " +
              target.qualifiedName(), s.plannedRows(), s.rowsSeen(), log)) {
        while (true) {
          Optional<JobTable.Range> range = jobs.lease(lease, job, options.worker);
          if (range.isEmpty()) {
            if (jobs.finishIfDone(admin, job)) {
              break;
            }
            Thread.sleep(500); // other live workers hold the rest; take over if they die
            continue;
          }
          jobs.noteWorker(data, job, range.get().number(), options.worker);
          runRange(data, job, range.get(), progress);
          lease.commit(); // ends the lease
        }
      }
      JobTable.Summary end = jobs.summary(admin, job).orElseThrow();
      log.println("job " + job + " finished: " + end.rowsSeen() + " rows seen, "
          + end.rowsChanged() + " rewritten in " + end.ranges() + " ranges");
    }
  }

  /** Walks the whole table without writing: what the job would do. */
  void dryRun() throws SQLException, GeneralSecurityException {
    try (Connection data = db.openForBatches();
        Progress progress = Progress.start(options.progress, "dry run " + target.qualifiedName(),
            estimate(data), 0, log)) {
      String[] after = null;
      while (true) {
        List<Row> rows = read(data, after, null, "true");
        for (Row row : rows) {
          tally.rows++;
          if (rewrite.rewrite(row.stored, target.bindings(row.bindingValues), tally) != null) {
            tally.changed++;
          }
        }
        data.rollback();
        progress.step(rows.size());
        if (rows.size() < options.batchSize) {
          break;
        }
        after = rows.get(rows.size() - 1).key;
        rate.pace(rows.size());
      }
    }
  }

  /** How many rows of the table match {@code filter} now, in one statement. */
  private long count(Connection c, String filter) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + target.sqlName()
        + " WHERE " + filter);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long estimate(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + target.sqlName());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void runRange(Connection data, String job, JobTable.Range range, Progress progress)
      throws SQLException, GeneralSecurityException, InterruptedException {
    String[] after = range.lastKey() != null ? range.lastKey() : range.lo();
    while (true) {
      String[] from = after;
      BatchResult b = retrying(data, () -> batch(data, job, range, from));
      progress.step(b.seen);
      rate.pace(b.seen);
      if (b.done) {
        return;
      }
      after = b.lastKey;
    }
  }

  private interface Transaction<T> {
    T run() throws SQLException, GeneralSecurityException;
  }

  /**
   * Runs {@code work}, one transaction on {@code data}; rolls it back and runs it again after a
   * serialization failure, a deadlock or a lock timeout.
   */
  private static <T> T retrying(Connection data, Transaction<T> work) throws SQLException,
      GeneralSecurityException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return work.run();
      } catch (SQLException e) {
        data.rollback();
        if (!RETRYABLE.contains(e.getSQLState()) || attempt > RETRIES) {
          throw e;
        }
        Thread.sleep(50L * attempt);
      }
    }
  }

  /**
   * One row as read: its key, its columns as stored, and its binding columns as text (null for
   * SQL NULL), all from the same read, so the binding values are the row's own.
   */
  private record Row(String[] key, Object[] stored, String[] bindingValues) {}

  private record BatchResult(int seen, String[] lastKey, boolean done) {}

  private BatchResult batch(Connection data, String job, JobTable.Range range, String[] after)
      throws SQLException, GeneralSecurityException {
    List<Row> rows = read(data, after, range.hi(), "true");
    int changed = write(data, rows);
    boolean done = rows.size() < options.batchSize;
    String[] lastKey = rows.isEmpty() ? null : rows.get(rows.size() - 1).key;
    jobs.recordBatch(data, job, range.number(), lastKey, rows.size(), changed, done);
    data.commit();
    tally.rows += rows.size();
    tally.changed += changed;
    return new BatchResult(rows.size(), lastKey, done);
  }

  /**
   * Rewrites {@code rows} with a compare-and-set each, reading a row again when the application
   * changed it meanwhile, in the caller's transaction; returns how many rows were written.
   */
  private int write(Connection data, List<Row> rows)
      throws SQLException, GeneralSecurityException {
    int changed = 0;
    List<Row> pending = new ArrayList<>();
    List<Object[]> updates = new ArrayList<>();
    for (Row row : rows) {
      Object[] out = rewrite.rewrite(row.stored, target.bindings(row.bindingValues), tally);
      if (out != null) {
        pending.add(row);
        updates.add(out);
      }
    }
    for (int round = 0; !pending.isEmpty(); round++) {
      int[] counts = compareAndSet(data, pending, updates);
      List<Row> raced = new ArrayList<>();
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] > 0) {
          changed++;
        } else {
          raced.add(pending.get(i));
        }
      }
      tally.raced += raced.size();
      if (round >= RETRIES && !raced.isEmpty()) {
        throw new SQLException(raced.size() + " rows of " + target.qualifiedName()
            + " kept changing under the job; the batch is tried again",
            VeilError.JOB_CONFLICT.sqlState());
      }
      pending = new ArrayList<>();
      updates = new ArrayList<>();
      for (Row old : raced) {
        Row now = reread(data, old.key);
        if (now != null) {
          Object[] out = rewrite.rewrite(now.stored, target.bindings(now.bindingValues), tally);
          if (out != null) {
            pending.add(now);
            updates.add(out);
          }
        }
      }
    }
    return changed;
  }

  /**
   * Rewrites the rows that match {@code filter} (SQL over the table's columns), from the start
   * of the table in key order, a batch per transaction, outside any job: the rows the
   * application changed after the job had passed them. Returns how many rows were written.
   */
  long catchUp(String filter) throws SQLException, GeneralSecurityException,
      InterruptedException {
    long written = 0;
    try (Connection data = db.openForBatches()) {
      String[] after = null;
      while (true) {
        String[] from = after;
        CaughtUp batch = retrying(data, () -> {
          List<Row> rows = read(data, from, null, filter);
          int changed = write(data, rows);
          data.commit();
          return new CaughtUp(rows, changed);
        });
        written += batch.written();
        if (batch.rows().size() < options.batchSize) {
          return written;
        }
        after = batch.rows().get(batch.rows().size() - 1).key;
        rate.pace(batch.rows().size());
      }
    }
  }

  private record CaughtUp(List<Row> rows, int written) {}

  /**
   * Rewrites every row that matches {@code filter} on {@code locked}, in its open transaction,
   * which holds the table locked against writers: no compare-and-set can lose. Does nothing and
   * returns -1 when more than a batch of rows match, so that the lock is not held for long.
   */
  int finishLocked(Connection locked, String filter) throws SQLException,
      GeneralSecurityException {
    List<Row> rows = read(locked, null, null, filter);
    return rows.size() >= options.batchSize ? -1 : write(locked, rows);
  }

  private List<Row> read(Connection data, String[] after, String[] upTo, String filter)
      throws SQLException {
    List<Row> rows = new ArrayList<>(Math.min(options.batchSize, 10_000));
    try (PreparedStatement ps = data.prepareStatement(
        target.selectBatch(after == null, upTo != null, filter))) {
      int i = 1;
      if (after != null) {
        i = TableTarget.bindKey(ps, i, after);
      }
      if (upTo != null) {
        i = TableTarget.bindKey(ps, i, upTo);
      }
      ps.setInt(i, options.batchSize);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(readRow(rs));
        }
      }
    }
    return rows;
  }

  private Row reread(Connection data, String[] key) throws SQLException {
    try (PreparedStatement ps = data.prepareStatement(target.selectRow())) {
      TableTarget.bindKey(ps, 1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? readRow(rs) : null;
      }
    }
  }

  private Row readRow(ResultSet rs) throws SQLException {
    String[] key = target.readKey(rs);
    List<Column> columns = target.columns();
    Object[] stored = new Object[columns.size()];
    for (int c = 0; c < stored.length; c++) {
      int index = target.keyWidth() + c + 1;
      stored[c] = columns.get(c).form().read(rs, index);
    }
    return new Row(key, stored, target.readBindingValues(rs));
  }

  private int[] compareAndSet(Connection data, List<Row> rows, List<Object[]> updates)
      throws SQLException {
    List<Column> columns = target.columns();
    try (PreparedStatement ps = data.prepareStatement(target.compareAndSet())) {
      for (int r = 0; r < rows.size(); r++) {
        int i = 1;
        for (int c = 0; c < columns.size(); c++) {
          columns.get(c).form().bind(ps, i++, updates.get(r)[c]);
        }
        i = TableTarget.bindKey(ps, i, rows.get(r).key);
        for (int c = 0; c < columns.size(); c++) {
          columns.get(c).form().bind(ps, i++, rows.get(r).stored[c]);
        }
        for (String value : rows.get(r).bindingValues) {
          if (value == null) {
            ps.setNull(i++, Types.VARCHAR);
          } else {
            ps.setString(i++, value);
          }
        }
        ps.addBatch();
      }
      return ps.executeBatch();
    }
  }

  /** At most {@code rowsPerSecond} rows a second on average (0: unlimited). */
  static final class RateLimit {
    private final long rowsPerSecond;
    private final long start = System.nanoTime();
    private long rows;

    RateLimit(long rowsPerSecond) {
      this.rowsPerSecond = rowsPerSecond;
    }

    void pace(long more) {
      rows += more;
      if (rowsPerSecond <= 0) {
        return;
      }
      long due = start + rows * 1_000_000_000L / rowsPerSecond;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
