package org.veil.bench.e2e;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The six workloads of the issue. Each operation prepares its statement anew and closes it, as
 * applications on a pool and most frameworks do, so per-statement work in a driver (SQL
 * analysis and its cache, pgjdbc's prepared-statement cache) is inside the timing.
 */
final class Workloads {

  private Workloads() {}

  /** In run order: the two writes on an empty table, then the four reads of the preloaded rows. */
  static List<Workload> all(int preloadedRows, int batchRows) {
    return List.of(
        new InsertOne(), new InsertBatch(batchRows),
        new PointSelect(preloadedRows), new SelectByEmail(preloadedRows),
        new Unprotected(preloadedRows), new Scan(preloadedRows));
  }

  /** Loads rows 1..count through the contender itself, in batches, then analyses the table. */
  static void preload(Session session, int count, int batchRows) throws SQLException {
    session.truncate();
    session.preloadedRows = count;
    try (PreparedStatement insert = session.connection.prepareStatement(session.insertSql)) {
      for (long id = 1; id <= count; id++) {
        session.bindRow(insert, id);
        insert.addBatch();
        if (id % batchRows == 0 || id == count) {
          insert.executeBatch();
        }
      }
    }
    session.analyze();
  }

  static final class InsertOne implements Workload {
    @Override
    public String id() {
      return "insert";
    }

    @Override
    public String title() {
      return "Single-row INSERT (5 columns, 2 protected: 20 B and 200 B)";
    }

    @Override
    public int rowsPerOperation() {
      return 1;
    }

    @Override
    public boolean readsPreloadedRows() {
      return false;
    }

    @Override
    public void setUp(Session session) throws SQLException {
      session.truncate();
    }

    @Override
    public void operate(Session session, long n) throws SQLException {
      try (PreparedStatement insert = session.connection.prepareStatement(session.insertSql)) {
        session.bindRow(insert, session.nextId++);
        insert.executeUpdate();
      }
    }
  }

  static final class InsertBatch implements Workload {
    private final int batchRows;

    InsertBatch(int batchRows) {
      this.batchRows = batchRows;
    }

    @Override
    public String id() {
      return "batch";
    }

    @Override
    public String title() {
      return String.format("Batched INSERT of %,d rows (executeBatch, auto-commit)", batchRows);
    }

    @Override
    public int rowsPerOperation() {
      return batchRows;
    }

    @Override
    public boolean readsPreloadedRows() {
      return false;
    }

    @Override
    public void beforeOperation(Session session) throws SQLException {
      session.truncate();
    }

    @Override
    public void operate(Session session, long n) throws SQLException {
      try (PreparedStatement insert = session.connection.prepareStatement(session.insertSql)) {
        for (int i = 0; i < batchRows; i++) {
          session.bindRow(insert, session.nextId++);
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
  }

  /** Looks rows up in a fixed pseudo-random order, the same for every contender. */
  private abstract static class Lookup implements Workload {
    private final int preloadedRows;

    Lookup(int preloadedRows) {
      this.preloadedRows = preloadedRows;
    }

    long idFor(Session session, long n) {
      // A multiplicative walk over the preloaded ids: spread out, repeatable, no Random state.
      // A contender that preloads fewer rows (Contender#preloadRows) walks over those.
      long rows = Math.min(preloadedRows, session.preloadedRows);
      return Math.floorMod(n * 2_654_435_761L, rows) + 1;
    }

    @Override
    public int rowsPerOperation() {
      return 1;
    }

    @Override
    public boolean readsPreloadedRows() {
      return true;
    }
  }

  static final class PointSelect extends Lookup {
    PointSelect(int preloadedRows) {
      super(preloadedRows);
    }

    @Override
    public String id() {
      return "point";
    }

    @Override
    public String title() {
      return "Point SELECT by primary key (all 5 columns)";
    }

    @Override
    public void operate(Session session, long n) throws SQLException {
      long id = idFor(session, n);
      try (PreparedStatement select = session.connection.prepareStatement(session.selectByIdSql)) {
        select.setLong(1, id);
        readOne(session, select, id);
      }
    }
  }

  static final class SelectByEmail extends Lookup {
    SelectByEmail(int preloadedRows) {
      super(preloadedRows);
    }

    @Override
    public String id() {
      return "equality";
    }

    @Override
    public String title() {
      return "SELECT by the protected 20 B column (WHERE email = ?, deterministic where encrypted)";
    }

    @Override
    public String notApplicable(Contender contender) {
      return contender.canLookUpByEquality() ? null : "randomized: cannot look up by equality";
    }

    @Override
    public void operate(Session session, long n) throws SQLException {
      long id = idFor(session, n);
      try (PreparedStatement select =
          session.connection.prepareStatement(session.selectByEmailSql)) {
        session.contender.bind(select, 1, ProtectedColumn.EMAIL, session.rows.email(id));
        readOne(session, select, id);
      }
    }
  }

  static final class Unprotected extends Lookup {
    Unprotected(int preloadedRows) {
      super(preloadedRows);
    }

    @Override
    public String id() {
      return "unprotected";
    }

    @Override
    public String title() {
      return "Statement touching no protected column (SELECT id, amount, created_at by primary key)";
    }

    @Override
    public void operate(Session session, long n) throws SQLException {
      long id = idFor(session, n);
      try (PreparedStatement select = session.connection.prepareStatement(session.unprotectedSql)) {
        select.setLong(1, id);
        try (ResultSet result = select.executeQuery()) {
          if (!result.next() || result.getLong(2) != session.rows.amount(id)) {
            throw new IllegalStateException(session.contender.id() + ": row " + id + " not found");
          }
          session.sink += result.getLong(1) + result.getTimestamp(3).getTime();
        }
      }
    }
  }

  static final class Scan implements Workload {
    private final int preloadedRows;

    Scan(int preloadedRows) {
      this.preloadedRows = preloadedRows;
    }

    @Override
    public String id() {
      return "scan";
    }

    @Override
    public String title() {
      return String.format("Scan of %,d rows (all 5 columns)", preloadedRows);
    }

    @Override
    public int rowsPerOperation() {
      return preloadedRows;
    }

    /** The contender's preloaded rows: a slow one preloads fewer ({@link Contender#preloadRows}). */
    @Override
    public int rowsPerOperation(Session session) {
      return session.preloadedRows;
    }

    @Override
    public boolean readsPreloadedRows() {
      return true;
    }

    @Override
    public void operate(Session session, long n) throws SQLException {
      int count = 0;
      try (PreparedStatement scan = session.connection.prepareStatement(session.scanSql);
          ResultSet result = scan.executeQuery()) {
        while (result.next()) {
          session.readRow(result);
          count++;
        }
      }
      if (count != session.preloadedRows) {
        throw new IllegalStateException(session.contender.id() + ": scanned " + count
            + " rows, expected " + session.preloadedRows);
      }
    }
  }

  private static void readOne(Session session, PreparedStatement select, long id)
      throws SQLException {
    try (ResultSet result = select.executeQuery()) {
      if (!result.next()) {
        throw new IllegalStateException(session.contender.id() + ": row " + id + " not found");
      }
      session.readRow(result, id);
    }
  }
}
