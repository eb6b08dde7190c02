package org.veil.bench.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One contender's connection, table and statements for a benchmark run. The SQL is the same for
 * every contender except where {@link Contender#bindExpression} and
 * {@link Contender#selectExpression} say otherwise.
 */
final class Session implements AutoCloseable {

  final Contender contender;
  final Target target;
  final Connection connection;
  /** A plain pgjdbc connection for the untimed DDL, TRUNCATE and ANALYZE. */
  private final Connection admin;
  final Rows rows;

  final String insertSql;
  final String selectByIdSql;
  final String selectByEmailSql;
  final String unprotectedSql;
  final String scanSql;

  /** The next id a write workload uses; write workloads start from an empty table. */
  long nextId = 1;

  /** How many rows {@link Workloads#preload} loaded: ids 1 to this. */
  int preloadedRows;

  /** Folds every value read, so the JIT cannot drop the reads. */
  long sink;

  Session(Contender contender, Target target, Rows rows) throws SQLException {
    this.contender = contender;
    this.target = target;
    this.rows = rows;
    this.admin = target.server().plainConnection();
    // Before the contender connects: ShardingSphere reads the table's metadata when it starts.
    createTable();
    this.connection = contender.connect(target);
    String t = target.table();
    String email = ProtectedColumn.EMAIL.sqlName();
    String selectList = "id, " + contender.selectExpression(ProtectedColumn.EMAIL) + ", "
        + contender.selectExpression(ProtectedColumn.NOTE) + ", amount, created_at";
    insertSql = "INSERT INTO " + t + " (id, " + email + ", " + ProtectedColumn.NOTE.sqlName()
        + ", amount, created_at) VALUES (?, " + contender.bindExpression(ProtectedColumn.EMAIL)
        + ", " + contender.bindExpression(ProtectedColumn.NOTE) + ", ?, ?)";
    selectByIdSql = "SELECT " + selectList + " FROM " + t + " WHERE id = ?";
    selectByEmailSql = "SELECT " + selectList + " FROM " + t + " WHERE " + email + " = "
        + contender.bindExpression(ProtectedColumn.EMAIL);
    unprotectedSql = "SELECT id, amount, created_at FROM " + t + " WHERE id = ?";
    scanSql = "SELECT " + selectList + " FROM " + t;
  }

  /** Drops and creates the contender's table: same five columns, primary key, index on email. */
  private void createTable() throws SQLException {
    String t = target.table();
    try (Statement s = admin.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + t);
      s.execute("CREATE TABLE " + t + " (id bigint PRIMARY KEY, "
          + "email " + contender.protectedColumnType(ProtectedColumn.EMAIL) + ", "
          + "note " + contender.protectedColumnType(ProtectedColumn.NOTE) + ", "
          + "amount bigint NOT NULL, created_at timestamptz NOT NULL)");
      // Every table gets it, so every contender pays the same index upkeep on writes.
      s.execute("CREATE INDEX " + t + "_email ON " + t + " (email)");
    }
  }

  void truncate() throws SQLException {
    try (Statement s = admin.createStatement()) {
      s.execute("TRUNCATE " + target.table());
    }
    nextId = 1;
  }

  /**
   * VACUUM ANALYZE after the preload, so the read workloads find hint bits set and the
   * visibility map current, and autovacuum's insert threshold does not start a vacuum of this
   * table in the middle of another contender's measurement (seen in smoke runs as one workload
   * slowing every contender measured after a point in time).
   */
  void analyze() throws SQLException {
    try (Statement s = admin.createStatement()) {
      s.execute("VACUUM (ANALYZE) " + target.table());
    }
  }

  /** Binds row {@code id} to the parameters of {@link #insertSql}. */
  void bindRow(PreparedStatement insert, long id) throws SQLException {
    insert.setLong(1, id);
    contender.bind(insert, 2, ProtectedColumn.EMAIL, rows.email(id));
    contender.bind(insert, 3, ProtectedColumn.NOTE, rows.note(id));
    insert.setLong(4, rows.amount(id));
    insert.setTimestamp(5, rows.createdAt(id));
  }

  /** Reads the current row of a SELECT of the full list and checks it is row {@code id}. */
  void readRow(ResultSet result, long expectedId) throws SQLException {
    long id = readRow(result);
    if (expectedId != id) {
      throw new IllegalStateException(contender.id() + ": expected row " + expectedId
          + ", got " + id);
    }
  }

  /** Reads the current row of a SELECT of the full list, checks its plaintext, returns its id. */
  long readRow(ResultSet result) throws SQLException {
    long id = result.getLong(1);
    String email = contender.read(result, 2, ProtectedColumn.EMAIL);
    String note = contender.read(result, 3, ProtectedColumn.NOTE);
    long amount = result.getLong(4);
    long created = result.getTimestamp(5).getTime();
    if (!rows.email(id).equals(email) || note == null || note.length() != Rows.NOTE_BYTES) {
      throw new IllegalStateException(contender.id() + ": row " + id
          + " did not read back as it was written");
    }
    sink += id + email.length() + note.charAt(0) + amount + created;
    return id;
  }

  /**
   * What a plain pgjdbc connection, as a DBA, reads from the protected 20 B column of row
   * {@code id}: ciphertext for a contender that encrypts, the plaintext for one that does not.
   */
  String storedEmail(long id) throws SQLException {
    try (PreparedStatement select = admin.prepareStatement(
        "SELECT email::text FROM " + target.table() + " WHERE id = ?")) {
      select.setLong(1, id);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? result.getString(1) : null;
      }
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      connection.close();
    } finally {
      admin.close();
    }
  }
}
