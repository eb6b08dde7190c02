package org.veil.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of tables as PostgreSQL's catalog has them now, read in one query: the one place
 * that asks {@code pg_attribute}, for the driver's check of the configured columns and for the
 * tools' jobs alike. The type of a column of a domain is the domain's base type, since that is
 * what holds the cell. Stateless; each call reads the catalog anew.
 */
public final class CatalogColumns {

  /**
   * One column.
   *
   * @param type the name of its type in {@code pg_type} ({@code bytea}, {@code text},
   *     {@code varchar}, …), the base type's for a domain
   * @param typmod its type modifier, -1 when it has none
   * @param comment its comment ({@code COMMENT ON COLUMN}), null when it has none
   * @param tableOid its table's {@code pg_class} OID: another one once the table is dropped and
   *     created again
   */
  public record Attribute(String schema, String table, String name, String type, int typmod,
      boolean notNull, String comment, long tableOid) {

    /** Its type as the catalog names it, with its modifier if any: {@code varchar(68)}. */
    public String typeWithModifier() {
      return typmod < 0 ? type : type + "(" + typmod + ")";
    }

    /** {@code schema.table.column}. */
    public String qualifiedName() {
      return schema + "." + table + "." + name;
    }
  }

  private static final String QUERY = "SELECT n.nspname, c.relname, a.attname,"
      + " CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END, a.atttypmod,"
      + " a.attnotnull, pg_catalog.col_description(a.attrelid, a.attnum), c.oid::bigint"
      + " FROM pg_catalog.pg_attribute a"
      + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
      + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
      + " LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
      + " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
      + " AND n.nspname = ANY (?) AND c.relname = ANY (?)"
      + " ORDER BY n.nspname, c.relname, a.attnum";

  private CatalogColumns() {}

  /**
   * The columns of the tables (and views) named {@code schemas} × {@code tables} that exist, by
   * {@link Attribute#qualifiedName()}, in each table's column order. A table that does not exist
   * has no entry; names are matched exactly (as stored, unquoted lower case for most).
   *
   * @param pg a pgjdbc connection (not a Veil one)
   */
  public static Map<String, Attribute> of(Connection pg, Collection<String> schemas,
      Collection<String> tables) throws SQLException {
    Map<String, Attribute> found = new LinkedHashMap<>();
    try (PreparedStatement ps = pg.prepareStatement(QUERY)) {
      ps.setArray(1, pg.createArrayOf("text", schemas.toArray()));
      ps.setArray(2, pg.createArrayOf("text", tables.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Attribute a = new Attribute(rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getString(4), rs.getInt(5), rs.getBoolean(6), rs.getString(7), rs.getLong(8));
          found.put(a.qualifiedName(), a);
        }
      }
    }
    return found;
  }

  /**
   * The columns of {@code schema.table} by name, in column order; empty when there is no such
   * table (or view).
   */
  public static Map<String, Attribute> ofTable(Connection pg, String schema, String table)
      throws SQLException {
    Map<String, Attribute> byName = new LinkedHashMap<>();
    for (Attribute a : of(pg, List.of(schema), List.of(table)).values()) {
      byName.put(a.name(), a);
    }
    return byName;
  }
}
