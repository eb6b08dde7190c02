package org.veil.tools;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the conversions of one table's columns stand, one row per column, written in the same
 * transaction as each schema change, so that a run after a kill, or another worker, knows what
 * is done: the job table's {@code _conversions} table for conversions to bytea, and
 * {@code _conversions_to_text} for the way back ({@code decrypt-column --convert-to-text}).
 * A conversion to bytea also records the column's type before it ({@code original_type}), so
 * that the way back restores it. Stateless apart from the names; every method works in the
 * caller's transaction.
 */
final class ConversionRecord {

  /** Where a column's conversion stands; NEW is not recorded. */
  enum State { NEW, BACKFILL, SWAPPED, DROPPED }

  private final JobTable jobs;
  private final TableTarget target;
  private final ByteaConversion.Direction direction;

  ConversionRecord(JobTable jobs, TableTarget target, ByteaConversion.Direction direction) {
    this.jobs = jobs;
    this.target = target;
    this.direction = direction;
  }

  /** The table that records the conversions of {@code direction}. */
  static String table(JobTable jobs, ByteaConversion.Direction direction) {
    return direction == ByteaConversion.Direction.TO_BYTEA ? jobs.conversions()
        : jobs.conversions() + "_to_text";
  }

  String table() {
    return table(jobs, direction);
  }

  private String otherTable() {
    return table(jobs, direction.reverse());
  }

  /** The recorded state of each column of the table with a conversion; none when none. */
  Map<String, State> states(Connection c) throws SQLException {
    return states(c, table());
  }

  /** The same for conversions the other way. */
  Map<String, State> reverseStates(Connection c) throws SQLException {
    return states(c, otherTable());
  }

  private Map<String, State> states(Connection c, String table) throws SQLException {
    Map<String, State> states = new HashMap<>();
    if (!exists(c, table)) {
      return states;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT column_name, state FROM "
        + table + " WHERE schema_name = ? AND table_name = ?")) {
      ps.setString(1, target.schema());
      ps.setString(2, target.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          states.put(rs.getString(1), State.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)));
        }
      }
    }
    return states;
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      exists.setString(1, table);
      try (ResultSet rs = exists.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Records that the conversions of {@code columns} started (a no-op for those recorded); for a
   * conversion to bytea with each column's type now ({@code format_type}), read in the caller's
   * transaction.
   */
  void started(Connection c, String job, List<ByteaConversion.Converted> columns)
      throws SQLException {
    jobs.create(c); // holds the job tables' creation lock until the caller commits
    try (Statement s = c.createStatement()) {
      if (direction == ByteaConversion.Direction.TO_BYTEA) {
        // Added by the first conversion that needs it, so that older job tables keep working.
        s.execute("ALTER TABLE " + table() + " ADD COLUMN IF NOT EXISTS original_type text");
      } else {
        s.execute("CREATE TABLE IF NOT EXISTS " + table() + " (schema_name text NOT NULL,"
            + " table_name text NOT NULL, column_name text NOT NULL, job text NOT NULL,"
            + " shadow text NOT NULL, kept_aside text NOT NULL, state text NOT NULL CHECK"
            + " (state IN ('backfill', 'swapped', 'dropped')), started_at timestamptz NOT NULL"
            + " DEFAULT now(), swapped_at timestamptz, dropped_at timestamptz,"
            + " original_type text, PRIMARY KEY (schema_name, table_name, column_name))");
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table()
        + " (schema_name, table_name, column_name, job, shadow, kept_aside, state,"
        + " original_type) SELECT ?, ?, ?, ?, ?, ?, 'backfill', pg_catalog.format_type("
        + "a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a WHERE a.attrelid ="
        + " CAST(? AS regclass) AND a.attname = ? ON CONFLICT DO NOTHING")) {
      for (ByteaConversion.Converted col : columns) {
        ps.setString(1, target.schema());
        ps.setString(2, target.table());
        ps.setString(3, col.column().name());
        ps.setString(4, job);
        ps.setString(5, col.shadow());
        ps.setString(6, col.keptAside());
        ps.setString(7, target.sqlName());
        ps.setString(8, col.column().name());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * The type {@code column} had before its conversion to bytea, as a type name that PostgreSQL
   * resolved just now; {@code text} when no conversion recorded one, when the type is gone, or
   * when it is not text, varchar or a domain over either (the recorded name is never put into
   * SQL as it is).
   */
  String originalType(Connection c, String column) throws SQLException {
    String forward = table(jobs, ByteaConversion.Direction.TO_BYTEA);
    if (!exists(c, forward)) {
      return "text";
    }
    try (PreparedStatement has = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_attribute"
        + " WHERE attrelid = CAST(? AS regclass) AND attname = 'original_type'"
        + " AND NOT attisdropped")) {
      has.setString(1, forward);
      try (ResultSet rs = has.executeQuery()) {
        if (!rs.next()) {
          return "text";
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.format_type(t.oid,"
        + " NULL) FROM " + forward + " r JOIN pg_catalog.pg_type t"
        + " ON t.oid = pg_catalog.to_regtype(r.original_type)"
        + " LEFT JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype"
        + " WHERE r.schema_name = ? AND r.table_name = ? AND r.column_name = ?"
        + " AND (CASE WHEN t.typtype = 'd' THEN b.typname ELSE t.typname END)::text IN"
        + " ('text', 'varchar')")) {
      ps.setString(1, target.schema());
      ps.setString(2, target.table());
      ps.setString(3, column);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "text";
      }
    }
  }

  /**
   * Records that {@code columns} were swapped, or that their kept-aside columns were dropped.
   * A swap also forgets the columns' conversions the other way, which it has undone.
   */
  void reached(Connection c, List<String> columns, State state) throws SQLException {
    String when = state == State.SWAPPED ? "swapped_at" : "dropped_at";
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table()
        + " SET state = ?, " + when + " = now() WHERE schema_name = ? AND table_name = ?"
        + " AND column_name = ANY (?)")) {
      ps.setString(1, state.name().toLowerCase(Locale.ROOT));
      ps.setString(2, target.schema());
      ps.setString(3, target.table());
      ps.setArray(4, c.createArrayOf("text", columns.toArray()));
      ps.executeUpdate();
    }
    if (state == State.SWAPPED && exists(c, otherTable())) {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + otherTable()
          + " WHERE schema_name = ? AND table_name = ? AND column_name = ANY (?)")) {
        ps.setString(1, target.schema());
        ps.setString(2, target.table());
        ps.setArray(3, c.createArrayOf("text", columns.toArray()));
        ps.executeUpdate();
      }
    }
  }
}
