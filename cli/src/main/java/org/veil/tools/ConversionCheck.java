package org.veil.tools;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.veil.error.VeilError;
import org.veil.jdbc.CellGuard;

/**
 * What stops a column from being converted (text to bytea, or back) by swapping a shadow column
 * in for it.
 * Objects bound to the column (indexes, constraints, views, rules, row-level policies,
 * statistics, other triggers, generated columns) refer to it by position, so after the swap they
 * would go on using the old text column under its kept-aside name; a default would store
 * plaintext, and column privileges would not follow. Partitioned and inherited tables are not
 * handled. Reads the catalog only; stateless.
 */
final class ConversionCheck {

  private static final String TABLE_QUERY = "SELECT c.relkind::text, EXISTS (SELECT 1 FROM"
      + " pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid)"
      + " FROM pg_catalog.pg_class c WHERE c.oid = CAST(? AS regclass)";

  private static final String COLUMN_QUERY = "SELECT a.attname::text, a.attgenerated <> '',"
      + " a.attacl IS NOT NULL, pg_catalog.pg_get_expr(d.adbin, d.adrelid)"
      + " FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d"
      + " ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
      + " WHERE a.attrelid = CAST(? AS regclass) AND a.attname = ANY (?)";

  /*
   * Everything pg_depend records as depending on the columns, but for their own defaults
   * (reported with their expression), NOT NULL constraints (PostgreSQL 18 records them; the swap
   * moves NOT NULL itself), their guards (the swap hands them on) and the conversion's own
   * trigger. A view is named as the view, not as its rewrite rule.
   */
  private static final String DEPENDENTS_QUERY = "SELECT DISTINCT a.attname::text,"
      + " CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::regclass THEN (SELECT CASE v.relkind"
      + "   WHEN 'm' THEN 'materialized view ' ELSE 'view ' END || v.oid::regclass::text"
      + "   FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class v ON v.oid = r.ev_class"
      + "   WHERE r.oid = d.objid)"
      + " ELSE pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) END"
      + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute a"
      + " ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
      + " WHERE d.refclassid = 'pg_catalog.pg_class'::regclass"
      + " AND d.refobjid = CAST(? AS regclass) AND a.attname = ANY (?)"
      + " AND d.classid <> 'pg_catalog.pg_attrdef'::regclass"
      + " AND NOT (d.classid = 'pg_catalog.pg_constraint'::regclass AND EXISTS (SELECT 1 FROM"
      + "   pg_catalog.pg_constraint k WHERE k.oid = d.objid AND k.contype = 'n'))"
      + " AND NOT (d.classid = 'pg_catalog.pg_constraint'::regclass AND EXISTS (SELECT 1 FROM"
      + "   pg_catalog.pg_constraint k WHERE k.oid = d.objid AND k.contype = 'c'"
      + "   AND k.conkey = ARRAY[a.attnum] AND k.conname = ANY (?)))"
      + " AND NOT (d.classid = 'pg_catalog.pg_trigger'::regclass AND EXISTS (SELECT 1 FROM"
      + "   pg_catalog.pg_trigger t WHERE t.oid = d.objid AND t.tgname = ?))"
      + " ORDER BY 1, 2";

  private ConversionCheck() {}

  /**
   * Refuses names the conversion would give that are too long, and columns by its names that it
   * did not make: a shadow before the conversion started, a kept-aside column before the swap.
   * Called under the conversions' lock, with what was read under it.
   *
   * @param taken the names of the table's columns now
   * @param started the columns whose conversion is recorded: their shadows are the
   *     conversion's own
   */
  static void refuseTakenNames(Set<String> taken, TableTarget target,
      List<ByteaConversion.Converted> columns, Set<String> started, String trigger)
      throws SQLException {
    if (trigger.getBytes(StandardCharsets.UTF_8).length > 63) {
      throw new SQLException("the trigger name " + trigger + " that the conversion of "
          + target.qualifiedName() + " would use is longer than PostgreSQL's 63 bytes; rename"
          + " the table first", VeilError.NAME_TOO_LONG.sqlState());
    }
    for (ByteaConversion.Converted col : columns) {
      String clash = taken.contains(col.keptAside()) ? col.keptAside()
          : !started.contains(col.column().name()) && taken.contains(col.shadow())
              ? col.shadow() : null;
      if (clash != null) {
        throw new SQLException(target.qualifiedName() + " has a column " + clash + " already,"
            + " the name the conversion of " + col.column().name() + " would use; rename it"
            + " first. Nothing was changed.", VeilError.DUPLICATE_COLUMN.sqlState());
      }
    }
  }

  /**
   * Throws when any of {@code columns} of {@code target} cannot be converted, naming every
   * reason and what to do.
   *
   * @param ownTrigger the name of the conversion's own trigger, which does not count
   * @param type the type the columns are converted to ({@code bytea} or {@code text})
   * @param outcome what the refusal leaves as it was, for the message
   * @throws SQLException 55000, naming the table, the columns and the objects in the way
   */
  static void refuseBlocked(Connection pg, TableTarget target, List<String> columns,
      String ownTrigger, String type, String outcome) throws SQLException {
    String table = target.qualifiedName();
    String regclass = target.sqlName();
    List<String> problems = new ArrayList<>();
    try (PreparedStatement ps = pg.prepareStatement(TABLE_QUERY)) {
      ps.setString(1, regclass);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!"r".equals(rs.getString(1)) || rs.getBoolean(2)) {
          problems.add(table + " is partitioned or takes part in table inheritance, which"
              + " the online conversion does not handle; convert each partition's column with"
              + " ALTER TABLE … ALTER COLUMN … TYPE " + type + " in a maintenance window"
              + " instead");
        }
      }
    }
    try (PreparedStatement ps = pg.prepareStatement(COLUMN_QUERY)) {
      ps.setString(1, regclass);
      ps.setArray(2, pg.createArrayOf("text", columns.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String column = table + "." + rs.getString(1);
          if (rs.getBoolean(2)) {
            problems.add(column + " is a generated column: drop the generation first");
          }
          if (rs.getBoolean(3)) {
            problems.add(column + " has column privileges (GRANT … (" + rs.getString(1)
                + ")), which would stay with the old column: revoke them, and grant them"
                + " on the " + type + " column after the conversion");
          }
          if (rs.getString(4) != null) {
            problems.add(column + " has a default (" + rs.getString(4) + "), which would store"
                + " plaintext in an encrypted column: ALTER TABLE " + table + " ALTER COLUMN "
                + rs.getString(1) + " DROP DEFAULT");
          }
        }
      }
    }
    Map<String, List<String>> dependents = new LinkedHashMap<>();
    try (PreparedStatement ps = pg.prepareStatement(DEPENDENTS_QUERY)) {
      ps.setString(1, regclass);
      ps.setArray(2, pg.createArrayOf("text", columns.toArray()));
      ps.setArray(3, pg.createArrayOf("text",
          columns.stream().map(CellGuard::constraintName).toArray()));
      ps.setString(4, ownTrigger);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          dependents.computeIfAbsent(rs.getString(1), c -> new ArrayList<>())
              .add(rs.getString(2));
        }
      }
    }
    dependents.forEach((column, objects) -> problems.add(table + "." + column + " is used by "
        + String.join(", ", objects) + ", which would go on using the old column after"
        + " the swap: drop them first (DROP INDEX CONCURRENTLY for an index), and create them"
        + " again on the " + type + " column once the conversion is done"));
    if (!problems.isEmpty()) {
      throw new SQLException("cannot convert " + table + " " + columns + " to " + type
          + " online: "
          + String.join("; ", problems) + ". " + outcome, VeilError.NOT_READY.sqlState());
    }
  }
}
