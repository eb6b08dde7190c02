package org.veil.tools;

import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 *   <li>Each batch is written with one compare-and-set statement
 *       ({@link TableTarget#compareAndSet}) that names each row by the version it was read in
 *       ({@code tableoid}, {@code ctid}, {@code xmin}), so a value the application wrote
 *       meanwhile is never overwritten: the row is read again and handled anew. The version
 *       also covers the binding columns of row-bound columns, read with the row, so a cell is
 *       only ever written into a row that holds the binding value it was sealed or opened with.
 *       No old value, binding value or anything derived from them is sent: with statement or
 *       parameter logging on the server, its log holds versions and new values (cells) only.</li>
 *   <li>Ranges are leased through {@link JobTable}, so several workers share a job.</li>
 *   <li>Rows are counted once each, by what became of them ({@link CellRewrite.Tally}), per
 *       batch, and the counts are recorded with the batch's progress in its transaction: a
 *       batch rolled back and tried again, or a row read again, is not counted twice, and the
 *       job's counts across resumes and workers add up to the rows it walked.</li>
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
          log.println("job " + job + " finished already (" + s.counts() + "), and no row of "
              + target.qualifiedName() + " is left to do; pass --restart to run it again");
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
      log.println("job " + job + " finished: " + end.counts() + ", in " + end.ranges()
          + " ranges");
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
        CellRewrite.Tally batch = new CellRewrite.Tally();
        CellRewrite.Tally cells = new CellRewrite.Tally();
        batch.rows = rows.size();
        for (Row row : rows) {
          Pending p = rewriteRow(row, batch, cells);
          if (p != null) {
            p.countWritten(batch);
          }
        }
        data.rollback();
        tally.add(batch);
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
   * One row as read: its key, its columns as stored, its binding columns as text (null for SQL
   * NULL) and its version ({@link TableTarget#readVersion}), all from the same read, so the
   * binding values are the row's own and the version is the one that holds them.
   */
  private record Row(String[] key, Object[] stored, String[] bindingValues, String[] version) {}

  /**
   * A row to write: its new values, and the cell counts of rewriting it, counted once it is
   * written (a row that raced is rewritten anew and counted then).
   */
  private record Pending(Row row, Object[] out, long nulls, long failed) {
    void countWritten(CellRewrite.Tally batch) {
      batch.changed++;
      batch.nulls += nulls;
      batch.failed += failed;
    }
  }

  private record BatchResult(int seen, String[] lastKey, boolean done) {}

  private BatchResult batch(Connection data, String job, JobTable.Range range, String[] after)
      throws SQLException, GeneralSecurityException {
    List<Row> rows = read(data, after, range.hi(), "true");
    CellRewrite.Tally counts = new CellRewrite.Tally();
    counts.rows = rows.size();
    write(data, rows, counts);
    boolean done = rows.size() < options.batchSize;
    String[] lastKey = rows.isEmpty() ? null : rows.get(rows.size() - 1).key;
    jobs.recordBatch(data, job, range.number(), lastKey, counts, done);
    data.commit();
    tally.add(counts); // only now: a batch rolled back and tried again counts once
    return new BatchResult(rows.size(), lastKey, done);
  }

  /**
   * Rewrites {@code row}. A row that needs no write is counted into {@code batch} at once
   * (already done, or left as it is when a cell failed); otherwise returns what to write.
   * {@code cells} is scratch space for the cell counts of one row.
   */
  private Pending rewriteRow(Row row, CellRewrite.Tally batch, CellRewrite.Tally cells)
      throws GeneralSecurityException {
    cells.nulls = 0;
    cells.failed = 0;
    Object[] out = rewrite.rewrite(row.stored, target.bindings(row.bindingValues), cells);
    if (out != null) {
      return new Pending(row, out, cells.nulls, cells.failed);
    }
    batch.nulls += cells.nulls;
    batch.failed += cells.failed;
    if (cells.failed > 0) {
      batch.leftFailed++;
    } else {
      batch.alreadyDone++;
    }
    return null;
  }

  /**
   * Rewrites {@code rows} with one compare-and-set per round, reading a row again when the
   * application changed it meanwhile, in the caller's transaction, and counts each row into
   * {@code batch} by what became of it (the caller counts the rows seen).
   */
  private void write(Connection data, List<Row> rows, CellRewrite.Tally batch)
      throws SQLException, GeneralSecurityException {
    CellRewrite.Tally cells = new CellRewrite.Tally();
    List<Pending> pending = new ArrayList<>();
    for (Row row : rows) {
      Pending p = rewriteRow(row, batch, cells);
      if (p != null) {
        pending.add(p);
      }
    }
    for (int round = 0; !pending.isEmpty(); round++) {
      boolean[] written = compareAndSet(data, pending);
      List<Row> raced = new ArrayList<>();
      for (int i = 0; i < written.length; i++) {
        if (written[i]) {
          pending.get(i).countWritten(batch);
        } else {
          raced.add(pending.get(i).row);
        }
      }
      batch.raced += raced.size();
      if (round >= RETRIES && !raced.isEmpty()) {
        throw new SQLException(raced.size() + " rows of " + target.qualifiedName()
            + " kept changing under the job; the batch is tried again",
            VeilError.JOB_CONFLICT.sqlState());
      }
      pending = new ArrayList<>();
      for (Row old : raced) {
        Row now = reread(data, old.key);
        if (now == null) {
          batch.gone++;
          continue;
        }
        Pending p = rewriteRow(now, batch, cells);
        if (p != null) {
          pending.add(p);
        }
      }
    }
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
          CellRewrite.Tally counts = new CellRewrite.Tally();
          counts.rows = rows.size();
          write(data, rows, counts);
          data.commit();
          return new CaughtUp(rows, counts);
        });
        tally.add(batch.counts());
        written += batch.counts().changed;
        if (batch.rows().size() < options.batchSize) {
          return written;
        }
        after = batch.rows().get(batch.rows().size() - 1).key;
        rate.pace(batch.rows().size());
      }
    }
  }

  private record CaughtUp(List<Row> rows, CellRewrite.Tally counts) {}

  /**
   * Rewrites every row that matches {@code filter} on {@code locked}, in its open transaction,
   * which holds the table locked against writers: no compare-and-set can lose. Does nothing and
   * returns -1 when more than a batch of rows match, so that the lock is not held for long.
   * The rows are counted into this worker's tally at once: the caller commits.
   */
  int finishLocked(Connection locked, String filter) throws SQLException,
      GeneralSecurityException {
    List<Row> rows = read(locked, null, null, filter);
    if (rows.size() >= options.batchSize) {
      return -1;
    }
    CellRewrite.Tally counts = new CellRewrite.Tally();
    counts.rows = rows.size();
    write(locked, rows, counts);
    tally.add(counts);
    return (int) counts.changed;
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
    return new Row(key, stored, target.readBindingValues(rs), target.readVersion(rs));
  }

  /**
   * Writes {@code rows} with one compare-and-set statement ({@link TableTarget#compareAndSet});
   * returns, per row, whether it was written (false: it is no longer the version read).
   */
  private boolean[] compareAndSet(Connection data, List<Pending> rows) throws SQLException {
    List<Column> columns = target.columns();
    int n = rows.size();
    String[] rel = new String[n];
    String[] tid = new String[n];
    String[] xmin = new String[n];
    Boolean[][] keep = new Boolean[columns.size()][n];
    Object[][] values = new Object[columns.size()][];
    for (int c = 0; c < values.length; c++) {
      values[c] = columns.get(c).form() == StorageForm.BINARY ? new byte[n][] : new String[n];
    }
    for (int r = 0; r < n; r++) {
      Pending p = rows.get(r);
      rel[r] = p.row.version[0];
      tid[r] = p.row.version[1];
      xmin[r] = p.row.version[2];
      for (int c = 0; c < values.length; c++) {
        // A value left as it is is not sent: it may be plaintext the job could not seal.
        boolean same = p.out[c] == p.row.stored[c];
        keep[c][r] = same;
        values[c][r] = same ? null : p.out[c];
      }
    }
    boolean[] written = new boolean[n];
    try (PreparedStatement ps = data.prepareStatement(target.compareAndSet())) {
      ps.setArray(1, data.createArrayOf("text", rel));
      ps.setArray(2, data.createArrayOf("text", tid));
      ps.setArray(3, data.createArrayOf("text", xmin));
      int i = 4;
      for (int c = 0; c < values.length; c++) {
        ps.setArray(i++, data.createArrayOf("boolean", keep[c]));
        ps.setArray(i++, data.createArrayOf(
            columns.get(c).form() == StorageForm.BINARY ? "bytea" : "text", values[c]));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          written[(int) rs.getLong(1) - 1] = true;
        }
      }
    }
    return written;
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
