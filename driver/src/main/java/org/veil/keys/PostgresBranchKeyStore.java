package org.veil.keys;

import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.veil.error.ServerState;

/**
 * The {@code veil_keys} table in the application database (name from {@code veil.keys.table}),
 * created on first use, through connections of its own: the application's connections are never
 * used. Reads share one connection, kept open between them (a lookup of a key the cache misses
 * costs a query, not a new TLS connection); a read that finds it taken (another thread's read
 * is under way) opens one for itself and closes it after, and a connection that broke is
 * dropped and the read made again on a new one. Each write opens its own connection and closes
 * it. Reads ({@link #active}, {@link #find}) go to
 * {@link KeyStoreConnections#reads()}, the server the application is on, so a standby serves the
 * keys of the cells it holds even when the primary is down; {@link #activate} (a new key) goes to
 * {@link KeyStoreConnections#writes()}, a primary.
 *
 * <p>Concurrency: {@link #activate} runs in one transaction under a transaction-scoped advisory
 * lock ({@code pg_advisory_xact_lock}) derived from the table name, so instances that start
 * together agree on one active key; the partial unique index {@code (keyring, purpose) WHERE
 * active} is the last line of defence. No Java lock is held across the database call.
 *
 * <p>DDL (also in docs/KEYS.md):
 * <pre>{@code
 * CREATE TABLE IF NOT EXISTS veil_keys (
 *   key_id        uuid        PRIMARY KEY,
 *   keyring       text        NOT NULL,
 *   purpose       text        NOT NULL CHECK (purpose IN ('branch', 'deterministic')),
 *   provider      text        NOT NULL,
 *   master_key_id text        NOT NULL,
 *   wrapped_key   bytea       NOT NULL,
 *   created_at    timestamptz NOT NULL,
 *   retired_at    timestamptz,
 *   active        boolean     NOT NULL,
 *   wrap_context  smallint    NOT NULL DEFAULT 1);
 * CREATE UNIQUE INDEX IF NOT EXISTS veil_keys_one_active ON veil_keys (keyring, purpose) WHERE active;
 * }</pre>
 *
 * <p>{@code wrap_context} ({@link WrapContext}) records the context of each row's wrap: 2 (key
 * id, keyring and purpose) for every key stored now, 1 (key id only) for rows written before.
 * A table made before the column gets it, with 1 for its rows, from the first {@link #activate};
 * until then reads take every row as 1. Its default is 1 so that a Veil too old to know the
 * column, still writing the table, marks its rows as what they are.
 *
 * <p>Thread-safe. {@link #close()} closes the shared read connection.
 */
public final class PostgresBranchKeyStore implements BranchKeyStore, AutoCloseable {

  private static final Pattern IDENTIFIER =
      Pattern.compile("([a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*");
  private static final String COLUMNS =
      "key_id, keyring, purpose, provider, master_key_id, wrapped_key, created_at, wrap_context";
  /**
   * What reads select, from the table aliased {@code k}: {@code wrap_context} through the row's
   * JSON form, so that one query reads a table made before the column too (as null: key id only).
   */
  private static final String READ_COLUMNS = "key_id, keyring, purpose, provider, master_key_id,"
      + " wrapped_key, created_at, to_jsonb(k) ->> 'wrap_context'";
  /** The column as {@link #addWrapContextColumn} adds it and {@link #ddl} creates it. */
  private static final String WRAP_CONTEXT_COLUMN = "wrap_context  smallint    NOT NULL DEFAULT 1";

  private final ConnectionSource reads;
  private final ConnectionSource writes;
  private final String database;
  private final String table;
  private final String indexName;
  private final long lockId;
  /** The read connection between reads; null while a read holds it, or before the first. */
  private final AtomicReference<Connection> idle = new AtomicReference<>();
  private volatile boolean closed;

  /**
   * A store that reads and writes through one source, on one server.
   *
   * @param table the table name, lower case, optionally schema-qualified ({@code veil_keys})
   */
  public PostgresBranchKeyStore(ConnectionSource connections, String table) {
    this(KeyStoreConnections.of(connections), table);
  }

  /**
   * @param connections where reads and writes go, and how messages name the database
   * @param table the table name, lower case, optionally schema-qualified ({@code veil_keys})
   */
  public PostgresBranchKeyStore(KeyStoreConnections connections, String table) {
    if (!IDENTIFIER.matcher(table).matches()) {
      throw new IllegalArgumentException("veil.keys.table=" + table
          + " is not a plain lower-case [schema.]table name");
    }
    this.reads = connections.reads();
    this.writes = connections.writes();
    this.database = connections.database();
    this.table = table;
    this.indexName = table.substring(table.indexOf('.') + 1) + "_one_active";
    // "VEIL" in the high half, so the lock does not collide with the application's own.
    this.lockId = (0x5645494cL << 32) | (table.hashCode() & 0xffffffffL);
  }

  /** The table's DDL, as run by {@link #createTable}. */
  public String ddl() {
    return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
        + "  key_id        uuid        PRIMARY KEY,\n"
        + "  keyring       text        NOT NULL,\n"
        + "  purpose       text        NOT NULL CHECK (purpose IN ('branch', 'deterministic')),\n"
        + "  provider      text        NOT NULL,\n"
        + "  master_key_id text        NOT NULL,\n"
        + "  wrapped_key   bytea       NOT NULL,\n"
        + "  created_at    timestamptz NOT NULL,\n"
        + "  retired_at    timestamptz,\n"
        + "  active        boolean     NOT NULL,\n"
        + "  " + WRAP_CONTEXT_COLUMN + ");\n"
        + "CREATE UNIQUE INDEX IF NOT EXISTS " + indexName + " ON " + table
        + " (keyring, purpose) WHERE active";
  }

  @Override
  public Optional<StoredKey> active(String keyring, KeyPurpose purpose) throws KeyStoreException {
    try {
      return reading(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + READ_COLUMNS + " FROM "
            + table + " k WHERE keyring = ? AND purpose = ? AND active")) {
          ps.setString(1, keyring);
          ps.setString(2, purpose.sqlName());
          return readOne(ps);
        }
      });
    } catch (SQLException e) {
      if (ServerState.UNDEFINED_TABLE.matches(e)) {
        return Optional.empty();
      }
      throw failure("read the active " + purpose.sqlName() + " key of keyring " + keyring, e);
    }
  }

  @Override
  public Optional<StoredKey> find(KeyId id) throws KeyStoreException {
    try {
      return reading(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + READ_COLUMNS + " FROM "
            + table + " k WHERE key_id = ?")) {
          ps.setObject(1, id.toUuid());
          return readOne(ps);
        }
      });
    } catch (SQLException e) {
      if (ServerState.UNDEFINED_TABLE.matches(e)) {
        return Optional.empty();
      }
      throw failure("read key " + id, e);
    }
  }

  private interface Read<T> {
    T run(Connection c) throws SQLException, KeyStoreException;
  }

  /**
   * Runs {@code read} on the shared read connection (or, while another read holds it, on one of
   * its own), in autocommit. When the shared connection had broken since its last use (the
   * server restarted, an idle timeout ended it), the read is made once more on a new one.
   */
  private <T> T reading(Read<T> read) throws SQLException, KeyStoreException {
    Connection c = idle.getAndSet(null);
    boolean reused = c != null;
    if (!reused) {
      c = reads.open();
    }
    try {
      T result = read.run(c);
      giveBack(c);
      return result;
    } catch (SQLException e) {
      if (!isBroken(c, e)) {
        giveBack(c);
        throw e;
      }
      quietlyClose(c);
      if (!reused) {
        throw e;
      }
    } catch (KeyStoreException | RuntimeException e) {
      giveBack(c);
      throw e;
    }
    Connection fresh = reads.open();
    try {
      T result = read.run(fresh);
      giveBack(fresh);
      return result;
    } catch (SQLException | KeyStoreException | RuntimeException e) {
      quietlyClose(fresh);
      throw e;
    }
  }

  /** Keeps {@code c} as the shared read connection, or closes it when one is kept already. */
  private void giveBack(Connection c) {
    if (closed || !idle.compareAndSet(null, c)) {
      quietlyClose(c);
      return;
    }
    if (closed && idle.compareAndSet(c, null)) {
      quietlyClose(c); // close() ran between the check and the keeping
    }
  }

  /** Whether {@code e} says that the connection itself is gone (not only the statement). */
  private static boolean isBroken(Connection c, SQLException e) {
    try {
      return c.isClosed() || ServerState.isConnectionLost(e.getSQLState());
    } catch (SQLException closedCheck) {
      return true;
    }
  }

  private static void quietlyClose(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // Already broken; nothing is left to release on this side.
    }
  }

  /** Closes the shared read connection; a read after this opens and closes its own. */
  @Override
  public void close() {
    closed = true;
    Connection c = idle.getAndSet(null);
    if (c != null) {
      quietlyClose(c);
    }
  }

  @Override
  public StoredKey activate(StoredKey candidate, Instant notBefore) throws KeyStoreException {
    try (Connection c = writes.open()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          lock.setLong(1, lockId);
          lock.execute();
        }
        createTable(c);
        Optional<StoredKey> current;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + READ_COLUMNS + " FROM "
            + table + " k WHERE keyring = ? AND purpose = ? AND active FOR UPDATE")) {
          ps.setString(1, candidate.keyring());
          ps.setString(2, candidate.purpose().sqlName());
          current = readOne(ps);
        }
        if (current.isPresent()
            && (notBefore == null || !current.get().createdAt().isBefore(notBefore))) {
          c.commit();
          return current.get();
        }
        if (current.isPresent()) {
          try (PreparedStatement ps = c.prepareStatement("UPDATE " + table
              + " SET active = false, retired_at = ? WHERE key_id = ?")) {
            ps.setTimestamp(1, Timestamp.from(candidate.createdAt()));
            ps.setObject(2, current.get().id().toUuid());
            ps.executeUpdate();
          }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + COLUMNS
            + ", active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, true)")) {
          ps.setObject(1, candidate.id().toUuid());
          ps.setString(2, candidate.keyring());
          ps.setString(3, candidate.purpose().sqlName());
          ps.setString(4, candidate.provider());
          ps.setString(5, candidate.masterKeyId());
          ps.setBytes(6, candidate.wrapped());
          ps.setTimestamp(7, Timestamp.from(candidate.createdAt()));
          ps.setShort(8, (short) candidate.wrapContext().code());
          ps.executeUpdate();
        }
        c.commit();
        return candidate;
      } catch (SQLException | KeyStoreException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("store a new " + candidate.purpose().sqlName() + " key for keyring "
          + candidate.keyring(), e);
    }
  }

  /**
   * Creates the table and its index if missing, and adds {@code wrap_context} to a table made
   * before it; the caller holds the advisory lock.
   */
  private void createTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String ddl : ddl().split(";\n")) {
        s.execute(ddl);
      }
    }
    addWrapContextColumn(c, table);
  }

  /**
   * Adds {@code wrap_context} to {@code table} if it was made before the column (its rows get 1,
   * key id only); looks in the catalog first, so a current table is not locked, and a missing
   * one is left missing. The {@code ALTER TABLE} needs a role that may alter the table (its
   * owner).
   *
   * @param table a lower-case, optionally schema-qualified table name
   */
  public static void addWrapContextColumn(Connection c, String table) throws SQLException {
    if (!IDENTIFIER.matcher(table).matches()) {
      throw new IllegalArgumentException("veil.keys.table=" + table
          + " is not a plain lower-case [schema.]table name");
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NULL OR EXISTS"
        + " (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?)"
        + " AND attname = 'wrap_context' AND NOT attisdropped)")) {
      ps.setString(1, table);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getBoolean(1)) {
          return; // no such table (nothing to upgrade), or it has the column
        }
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + WRAP_CONTEXT_COLUMN);
    }
  }

  private Optional<StoredKey> readOne(PreparedStatement ps)
      throws SQLException, KeyStoreException {
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      KeyId id = KeyId.of(rs.getObject(1, UUID.class));
      return Optional.of(new StoredKey(id, rs.getString(2),
          KeyPurpose.ofSqlName(rs.getString(3)), rs.getBytes(6), rs.getString(4),
          rs.getString(5), rs.getTimestamp(7).toInstant(), wrapContext(id, rs.getString(8))));
    }
  }

  /** The marker as read: null (no such column yet, or no value) is key id only. */
  private WrapContext wrapContext(KeyId id, String stored) throws KeyStoreException {
    if (stored == null) {
      return WrapContext.KEY_ID_ONLY;
    }
    try {
      return WrapContext.ofCode(Integer.parseInt(stored));
    } catch (IllegalArgumentException e) {
      throw new KeyStoreException("key " + id + " in table " + table + " of " + database
          + " cannot be used: " + e.getMessage() + "; the row was altered, or written by a"
          + " newer Veil", e);
    }
  }

  private KeyStoreException failure(String what, SQLException e) {
    return new KeyStoreException("cannot " + what + " in table " + table + " of " + database
        + ": SQLSTATE " + e.getSQLState() + " " + e.getMessage(), e);
  }

  @Override
  public String toString() {
    return table + " in " + database;
  }
}
