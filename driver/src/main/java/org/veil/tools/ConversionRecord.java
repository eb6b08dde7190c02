package org.veil.tools;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the conversions to bytea of one table's columns stand, as the job table's
 * {@code _conversions} table records them: one row per column, written in the same transaction
 * as each schema change, so that a run after a kill, or another worker, knows what is done.
 * Stateless apart from the names.
 */
final class ConversionRecord {

  /** Where a column's conversion stands; NEW is not recorded. */
  enum State { NEW, BACKFILL, SWAPPED, DROPPED }

  private final JobTable jobs;
  private final TableTarget target;

  ConversionRecord(JobTable jobs, TableTarget target) {
    this.jobs = jobs;
    this.target = target;
  }

  /** The recorded state of each column of the table with a conversion; none when none. */
  Map<String, State> states(Connection c) throws SQLException {
    Map<String, State> states = new HashMap<>();
    try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      exists.setString(1, jobs.conversions());
      try (ResultSet rs = exists.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return states;
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT column_name, state FROM "
        + jobs.conversions() + " WHERE schema_name = ? AND table_name = ?")) {
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

  /** Records that the conversions of {@code columns} started (a no-op for those recorded). */
  void started(Connection c, String job, List<ByteaConversion.Converted> columns)
      throws SQLException {
    jobs.create(c);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + jobs.conversions()
        + " (schema_name, table_name, column_name, job, shadow, kept_aside, state)"
        + " VALUES (?, ?, ?, ?, ?, ?, 'backfill') ON CONFLICT DO NOTHING")) {
      for (ByteaConversion.Converted col : columns) {
        ps.setString(1, target.schema());
        ps.setString(2, target.table());
        ps.setString(3, col.column().name());
        ps.setString(4, job);
        ps.setString(5, col.shadow());
        ps.setString(6, col.keptAside());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Records that {@code columns} were swapped, or that their kept-aside columns were dropped. */
  void reached(Connection c, List<String> columns, State state) throws SQLException {
    String when = state == State.SWAPPED ? "swapped_at" : "dropped_at";
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + jobs.conversions()
        + " SET state = ?, " + when + " = now() WHERE schema_name = ? AND table_name = ?"
        + " AND column_name = ANY (?)")) {
      ps.setString(1, state.name().toLowerCase(Locale.ROOT));
      ps.setString(2, target.schema());
      ps.setString(3, target.table());
      ps.setArray(4, c.createArrayOf("text", columns.toArray()));
      ps.executeUpdate();
    }
  }

  String table() {
    return jobs.conversions();
  }
}
