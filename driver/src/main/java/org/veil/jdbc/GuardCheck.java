package org.veil.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.veil.config.ColumnPolicy;
import org.veil.config.VeilConfig;
import org.veil.config.VeilProperty;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * What a runtime checks at its first connection, as {@code veil.guard} says: that every
 * configured column whose table exists has a database-side guard ({@link CellGuard}) that is
 * validated and current. {@code warn} (the default) logs the columns without one once,
 * {@code require} refuses the connection, {@code off} does not look. One catalog query for all
 * columns. A table created after the first connection is looked at when the application next
 * starts. Stateless.
 */
final class GuardCheck {

  private static final System.Logger LOG = System.getLogger(GuardCheck.class.getName());

  /*
   * The configured columns of existing tables whose guard is missing, not validated, made for
   * another cell shape (its comment differs), or not a check of that column alone.
   */
  private static final String QUERY = "SELECT w.schema_name, w.table_name, w.column_name,"
      + " CASE WHEN k.oid IS NULL THEN 'no guard'"
      + "   WHEN k.contype <> 'c' OR k.conkey <> ARRAY[a.attnum]"
      + "     THEN 'a constraint of the guard''s name that is not its guard'"
      + "   WHEN NOT k.convalidated THEN 'guard not validated: rows stored before it are"
      + " unchecked'"
      + "   ELSE 'guard made for other cell formats' END"
      + " FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),"
      + "   CAST(? AS text[])) AS w(schema_name, table_name, column_name, guard)"
      + " JOIN pg_catalog.pg_namespace n ON n.nspname = w.schema_name"
      + " JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = w.table_name"
      + "   AND c.relkind IN ('r', 'p')"
      + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = w.column_name"
      + "   AND a.attnum > 0 AND NOT a.attisdropped"
      + " LEFT JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid AND k.conname = w.guard"
      + " WHERE k.oid IS NULL OR k.contype <> 'c' OR k.conkey <> ARRAY[a.attnum]"
      + "   OR NOT k.convalidated"
      + "   OR pg_catalog.obj_description(k.oid, 'pg_constraint') IS DISTINCT FROM ?"
      + " ORDER BY 1, 2, 3";

  private GuardCheck() {}

  /** A configured column without a current, validated guard, and what is wrong with it. */
  record Unguarded(String schema, String table, String column, String why) {
    String describe() {
      return schema + "." + table + "." + column + " (" + why + ")";
    }
  }

  /**
   * Checks the guards of {@code config}'s columns through {@code pg}, as {@code veil.guard}
   * says; call it at a runtime's first connection only.
   *
   * @throws SQLException {@link VeilError#CONNECTION_REJECTED} under
   *     {@code veil.guard=require} when a column has no validated, current guard, naming the
   *     columns and the {@code veil guard add} commands that fix it
   */
  static void atFirstConnection(VeilConfig config, Connection pg) throws SQLException {
    String mode;
    try {
      mode = VeilProperty.GUARD.getChoice(config.toProperties());
    } catch (VeilException e) {
      throw SqlErrors.of(e);
    }
    if ("off".equals(mode) || config.columns().isEmpty()) {
      return;
    }
    List<Unguarded> unguarded = find(pg, config.columns().all());
    if (unguarded.isEmpty()) {
      return;
    }
    String what = "encrypted columns without a validated database-side guard: "
        + String.join(", ", unguarded.stream().map(Unguarded::describe).toList())
        + ". Any writer that bypasses Veil (psql, another application, a trigger, a function)"
        + " can store plaintext in them. Run " + commands(unguarded)
        + " (docs/RUNBOOK.md, \"The database-side guard\")";
    if ("require".equals(mode)) {
      throw SqlErrors.of(VeilError.CONNECTION_REJECTED, "veil.guard=require refuses to connect: "
          + what + ", or set veil.guard=warn.");
    }
    LOG.log(System.Logger.Level.WARNING, what + "; with veil.guard=require Veil would refuse to"
        + " connect.");
  }

  /** The configured columns of existing tables that lack a validated, current guard. */
  static List<Unguarded> find(Connection pg, Iterable<ColumnPolicy> columns)
      throws SQLException {
    List<String> schemas = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> guards = new ArrayList<>();
    for (ColumnPolicy p : columns) {
      schemas.add(p.schema());
      tables.add(p.table());
      names.add(p.column());
      guards.add(CellGuard.constraintName(p.column()));
    }
    List<Unguarded> unguarded = new ArrayList<>();
    try (PreparedStatement ps = pg.prepareStatement(QUERY)) {
      ps.setArray(1, pg.createArrayOf("text", schemas.toArray()));
      ps.setArray(2, pg.createArrayOf("text", tables.toArray()));
      ps.setArray(3, pg.createArrayOf("text", names.toArray()));
      ps.setArray(4, pg.createArrayOf("text", guards.toArray()));
      ps.setString(5, CellGuard.comment());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          unguarded.add(new Unguarded(rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getString(4)));
        }
      }
    }
    return unguarded;
  }

  private static String commands(List<Unguarded> unguarded) {
    Set<String> commands = new LinkedHashSet<>();
    for (Unguarded u : unguarded) {
      commands.add("veil guard add --table " + u.schema() + "." + u.table());
    }
    return String.join("; ", commands);
  }
}
