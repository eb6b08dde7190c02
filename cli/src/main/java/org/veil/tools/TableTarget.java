package org.veil.tools;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.veil.catalog.CatalogColumns;
import org.veil.catalog.CatalogColumns.Attribute;
import org.veil.catalog.StorageForm;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.jdbc.RowBinding;

/**
 * One table a job walks: its keyset key (the primary key, else a unique index over not-null
 * columns), the encrypted columns it rewrites with their storage forms, and the binding columns
 * of those that are bound to their row ({@code :bind=}), which it reads in the same row and
 * never writes. Builds the SQL of the keyset walk and of the compare-and-set update. Immutable.
 *
 * <p>Key values travel as text ({@code key::text}) and come back through
 * {@code CAST(? AS type)}, so any key type that round-trips through its text form works,
 * composite keys included; comparisons stay native, so the key's index serves them.
 */
final class TableTarget {

  /**
   * A column the job reads and writes: an encrypted column, or a column that stands in for one
   * (the bytea shadow of a text column being converted), and how it holds cells.
   *
   * @param name the column's name in the table; the policy's column unless it stands in for it
   */
  record Column(ColumnPolicy policy, StorageForm form, String name) {
    Column(ColumnPolicy policy, StorageForm form) {
      this(policy, form, policy.column());
    }
  }

  private static final String KEY_QUERY = "SELECT i.indisprimary,"
      + " array_agg(a.attname::text ORDER BY k.ord),"
      + " array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.ord)"
      + " FROM pg_catalog.pg_index i"
      + " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)"
      + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
      + " WHERE i.indrelid = CAST(? AS regclass) AND i.indisunique AND i.indisvalid"
      + " AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL"
      + " GROUP BY i.indexrelid, i.indisprimary"
      + " HAVING bool_and(a.attnotnull)"
      + " ORDER BY i.indisprimary DESC, count(*), i.indexrelid LIMIT 1";

  private final String schema;
  private final String table;
  private final List<String> keyColumns;
  private final List<String> keyTypes;
  private final List<Column> columns;
  /** The binding columns of the row-bound columns, each once, in the order columns name them. */
  private final List<String> bindingColumns;
  /** Per column, its binding column's position in {@link #bindingColumns}; -1 when unbound. */
  private final int[] bindingSlots;
  /** The bindings of every row when no column is row-bound: all null. Read only. */
  private final byte[][] unbound;

  private TableTarget(String schema, String table, List<String> keyColumns,
      List<String> keyTypes, List<Column> columns) {
    this.schema = schema;
    this.table = table;
    this.keyColumns = List.copyOf(keyColumns);
    this.keyTypes = List.copyOf(keyTypes);
    this.columns = List.copyOf(columns);
    List<String> binding = new ArrayList<>();
    this.bindingSlots = new int[columns.size()];
    for (int i = 0; i < bindingSlots.length; i++) {
      String b = columns.get(i).policy().bindingColumn();
      if (b != null && !binding.contains(b)) {
        binding.add(b);
      }
      bindingSlots[i] = b == null ? -1 : binding.indexOf(b);
    }
    this.bindingColumns = List.copyOf(binding);
    this.unbound = new byte[columns.size()][];
  }

  /**
   * Resolves {@code tableName} ({@code [schema.]table}) and the encrypted columns to rewrite.
   *
   * @param columnNames the columns asked for; empty means every column that veil.columns (or
   *     the annotations) configure for the table
   * @throws SQLException when the table is missing, has no usable key, or a column is not
   *     configured as encrypted or cannot hold a cell
   */
  static TableTarget resolve(Connection pg, EncryptedColumns encrypted, String tableName,
      List<String> columnNames) throws SQLException {
    String[] name = schemaAndTable(tableName);
    String schema = name[0];
    String table = name[1];
    String regclass = quote(schema) + "." + quote(table);
    List<Column> columns = encryptedColumns(pg, encrypted, schema, table, columnNames);

    List<String> keyColumns = new ArrayList<>();
    List<String> keyTypes = new ArrayList<>();
    try (PreparedStatement ps = pg.prepareStatement(KEY_QUERY)) {
      ps.setString(1, regclass);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("table " + schema + "." + table + " has no primary key and no"
              + " unique index over NOT NULL columns, so a job cannot walk it in key order,"
              + " resume where it stopped, or update one row at a time. Add one, e.g. ALTER"
              + " TABLE " + schema + "." + table + " ADD COLUMN veil_id bigint GENERATED ALWAYS"
              + " AS IDENTITY PRIMARY KEY",
              VeilError.NOT_READY.sqlState());
        }
        keyColumns.addAll(Arrays.asList((String[]) rs.getArray(2).getArray()));
        keyTypes.addAll(Arrays.asList((String[]) rs.getArray(3).getArray()));
      }
    }
    for (Column c : columns) {
      if (keyColumns.contains(c.policy().column())) {
        throw new SQLException(c.policy().qualifiedName() + " is part of the table's key, which"
            + " cannot be encrypted by a job that walks the table by that key",
            VeilError.NOT_READY.sqlState());
      }
    }
    checkBindingColumns(CatalogColumns.ofTable(pg, schema, table), columns);
    return new TableTarget(schema, table, keyColumns, keyTypes, columns);
  }

  /**
   * Refuses row-bound columns whose binding column is missing or of a type that cannot bind a
   * row, as the driver does ({@link RowBinding#bindingColumnType}): the job reads each row's
   * binding value in its text output, which is the canonical binding value only for those types.
   */
  private static void checkBindingColumns(Map<String, Attribute> types, List<Column> columns)
      throws SQLException {
    for (Column c : columns) {
      ColumnPolicy p = c.policy();
      if (p.isRowBound()) {
        RowBinding.bindingColumnType(p, types.get(p.bindingColumn()));
      }
    }
  }

  /** {@code [schema.]table}, lower-cased, as {@code {schema, table}} (schema public by default). */
  static String[] schemaAndTable(String tableName) throws SQLException {
    String[] parts = tableName.toLowerCase(Locale.ROOT).split("\\.");
    if (parts.length > 2 || Arrays.stream(parts).anyMatch(String::isBlank)) {
      throw new SQLException("--table " + tableName + " is not [schema.]table",
          VeilError.INVALID_NAME.sqlState());
    }
    return new String[] {parts.length == 2 ? parts[0] : EncryptedColumns.DEFAULT_SCHEMA,
        parts[parts.length - 1]};
  }

  /**
   * The encrypted columns of {@code schema.table} to work on, with their storage forms; the
   * table needs no key for this.
   *
   * @param columnNames the columns asked for; empty means every column that veil.columns (or
   *     the annotations) configure for the table
   * @throws SQLException when the table is missing, or a column is not configured as encrypted
   *     or cannot hold a cell
   */
  static List<Column> encryptedColumns(Connection pg, EncryptedColumns encrypted, String schema,
      String table, List<String> columnNames) throws SQLException {
    Map<String, Attribute> types = CatalogColumns.ofTable(pg, schema, table);
    if (types.isEmpty()) {
      throw new SQLException("there is no table " + schema + "." + table
          + " (as this role sees it)", VeilError.UNDEFINED_TABLE.sqlState());
    }

    List<ColumnPolicy> policies = new ArrayList<>();
    if (columnNames.isEmpty()) {
      policies.addAll(encrypted.forTable(schema, table));
      if (policies.isEmpty()) {
        throw new SQLException("veil.columns configures no encrypted column of " + schema + "."
            + table + "; name the columns in veil.columns (the application must know a column"
            + " is encrypted before its data is)", VeilError.INVALID_CONFIGURATION.sqlState());
      }
    } else {
      for (String name : columnNames) {
        ColumnPolicy p = encrypted.find(schema, table, name.trim().toLowerCase(Locale.ROOT));
        if (p == null) {
          throw new SQLException(schema + "." + table + "." + name.trim() + " is not an"
              + " encrypted column in veil.columns; add it there first (the application must"
              + " know a column is encrypted before its data is)",
              VeilError.INVALID_CONFIGURATION.sqlState());
        }
        policies.add(p);
      }
    }
    List<Column> columns = new ArrayList<>();
    for (ColumnPolicy p : policies) {
      Attribute type = types.get(p.column());
      if (type == null) {
        throw new SQLException("table " + schema + "." + table + " has no column " + p.column(),
            VeilError.UNDEFINED_COLUMN.sqlState());
      }
      try {
        columns.add(new Column(p, StorageForm.of(p, type.type(), type.typmod())));
      } catch (VeilException e) {
        throw new SQLException(e.getMessage(), e.error().sqlState(), e);
      }
    }
    return columns;
  }

  /** This table's columns by name, as the catalog has them now. */
  Map<String, Attribute> attributes(Connection pg) throws SQLException {
    return CatalogColumns.ofTable(pg, schema, table);
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  String schema() {
    return schema;
  }

  String table() {
    return table;
  }

  String qualifiedName() {
    return schema + "." + table;
  }

  String sqlName() {
    return quote(schema) + "." + quote(table);
  }

  List<Column> columns() {
    return columns;
  }

  /** The same table and key, with {@code more} columns after these. */
  TableTarget plus(List<Column> more) {
    List<Column> all = new ArrayList<>(columns);
    all.addAll(more);
    return new TableTarget(schema, table, keyColumns, keyTypes, all);
  }

  List<String> keyColumns() {
    return keyColumns;
  }

  int keyWidth() {
    return keyColumns.size();
  }

  private String keyList() {
    StringBuilder sb = new StringBuilder();
    for (String k : keyColumns) {
      sb.append(sb.length() == 0 ? "" : ", ").append(quote(k));
    }
    return sb.toString();
  }

  /** {@code (CAST(? AS t1), CAST(? AS t2))}: a key bound as text. */
  private String keyParameters() {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < keyTypes.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append("CAST(? AS ").append(keyTypes.get(i)).append(')');
    }
    return sb.append(')').toString();
  }

  /**
   * The key columns as text, aliased: a bare {@code ORDER BY id} next to an output column named
   * {@code id} would sort by the output column, that is by the text.
   */
  private String keyAsText() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < keyColumns.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(quote(keyColumns.get(i))).append("::text AS veil_key_")
          .append(i + 1);
    }
    return sb.toString();
  }

  /**
   * What a read of rows returns: the key (as text), the columns, then the binding columns (as
   * text: their values' text output, the canonical binding values), then the row version
   * ({@link #readVersion}), all of the same row.
   */
  private String selectList() {
    StringBuilder sql = new StringBuilder(keyAsText());
    for (Column c : columns) {
      sql.append(", ").append(quote(c.name()));
    }
    for (int i = 0; i < bindingColumns.size(); i++) {
      sql.append(", ").append(quote(bindingColumns.get(i))).append("::text AS veil_binding_")
          .append(i + 1);
    }
    return sql.append(", tableoid::text AS veil_rel, ctid::text AS veil_tid,"
        + " xmin::text AS veil_xmin").toString();
  }

  /**
   * The next batch: key (as text), the columns, the binding columns (as text), then the row
   * version ({@link #readVersion}), for keys in
   * {@code (after, upTo]}, in key order. Parameters: the {@code after} key, then the {@code upTo} key when {@code bounded},
   * then the limit. {@code after} null means from the start: the caller binds nothing for it
   * and passes {@code fromStart}.
   */
  String selectBatch(boolean fromStart, boolean bounded) {
    return selectBatch(fromStart, bounded, "true");
  }

  /** {@link #selectBatch(boolean, boolean)} of the rows that match {@code filter} (SQL). */
  String selectBatch(boolean fromStart, boolean bounded, String filter) {
    StringBuilder sql = new StringBuilder("SELECT ").append(selectList());
    sql.append(" FROM ").append(sqlName()).append(" WHERE (").append(filter).append(')');
    if (!fromStart) {
      sql.append(" AND (").append(keyList()).append(") > ").append(keyParameters());
    }
    if (bounded) {
      sql.append(" AND (").append(keyList()).append(") <= ").append(keyParameters());
    }
    return sql.append(" ORDER BY ").append(keyList()).append(" LIMIT ?").toString();
  }

  /**
   * One row by its key: key (as text), the columns, the binding columns (as text), then the
   * row version.
   * Parameters: the key.
   */
  String selectRow() {
    StringBuilder sql = new StringBuilder("SELECT ").append(selectList());
    return sql.append(" FROM ").append(sqlName()).append(" WHERE (").append(keyList())
        .append(") = ").append(keyParameters()).toString();
  }

  /**
   * The compare-and-set update of a batch of rows, one statement: each row is named by the row
   * version it was read in ({@link #readVersion}: table, {@code ctid}, {@code xmin}), and is
   * written only while it is still that version. Any write to the row since it was read (by the
   * application, by another worker; a HOT update too) made a new version with another
   * {@code ctid} and {@code xmin}, and a row moved by {@code VACUUM FULL} has another
   * {@code ctid}: such rows are left alone and the caller reads them again. A version is one
   * row's, so the binding columns it was read with are the ones it holds, and nothing derived
   * from a value (old value, binding value, hash) travels to the server: the parameters are the
   * versions and the new values only.
   *
   * <p>Parameters, each an array with one element per row: table oids, {@code ctid}s,
   * {@code xmin}s (all as text), then per column a {@code boolean[]} (true: leave the column as
   * it is; its value element is then null) and the new values ({@code bytea[]} or
   * {@code text[]}). Returns (RETURNING) the 1-based positions of the rows written. Binding
   * columns are never written; a column left as it is gets no value, so a value left plaintext
   * (a row whose binding column is NULL) is never sent.
   */
  String compareAndSet() {
    StringBuilder sql = new StringBuilder("UPDATE ").append(sqlName()).append(" AS veil_t SET ");
    StringBuilder arrays = new StringBuilder(
        "CAST(? AS text[])::oid[], CAST(? AS text[])::tid[], CAST(? AS text[])::xid[]");
    StringBuilder names = new StringBuilder("veil_rel, veil_tid, veil_xmin");
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      String value = "veil_c" + (i + 1);
      String keep = "veil_keep" + (i + 1);
      sql.append(i == 0 ? "" : ", ").append(quote(c.name())).append(" = CASE WHEN veil_v.")
          .append(keep).append(" THEN veil_t.").append(quote(c.name())).append(" ELSE veil_v.")
          .append(value).append(" END");
      arrays.append(", CAST(? AS boolean[]), CAST(? AS ")
          .append(c.form() == StorageForm.BINARY ? "bytea[]" : "text[]").append(')');
      names.append(", ").append(keep).append(", ").append(value);
    }
    return sql.append(" FROM unnest(").append(arrays).append(") WITH ORDINALITY AS veil_v(")
        .append(names).append(", veil_ord) WHERE veil_t.tableoid = veil_v.veil_rel"
            + " AND veil_t.ctid = veil_v.veil_tid AND veil_t.xmin = veil_v.veil_xmin"
            + " RETURNING veil_v.veil_ord").toString();
  }

  /**
   * Every {@code rangeRows}-th key in key order, as text: the boundaries that split the table
   * into ranges of about that many rows. Computed by the server; only boundaries come back.
   */
  String rangeBoundaries() {
    return "SELECT " + keyAsText() + " FROM (SELECT "
        + keyList() + ", row_number() OVER (ORDER BY " + keyList() + ") AS veil_rn FROM "
        + sqlName() + ") AS numbered WHERE veil_rn % ? = 0 ORDER BY " + keyList();
  }

  /** Binds a key (as text) at {@code index}; returns the next index. */
  static int bindKey(PreparedStatement ps, int index, String[] key) throws SQLException {
    for (String part : key) {
      ps.setString(index++, part);
    }
    return index;
  }

  /** Reads a key (as text) from columns {@code 1..width}. */
  String[] readKey(ResultSet rs) throws SQLException {
    String[] key = new String[keyColumns.size()];
    for (int i = 0; i < key.length; i++) {
      key[i] = rs.getString(i + 1);
    }
    return key;
  }

  /** How many binding columns a read returns after the columns. */
  int bindingWidth() {
    return bindingColumns.size();
  }

  /**
   * Reads the binding columns (as text; null for SQL NULL) of a row that a read of this target
   * returned, from the columns after the key and the columns.
   */
  String[] readBindingValues(ResultSet rs) throws SQLException {
    String[] values = new String[bindingColumns.size()];
    int first = keyColumns.size() + columns.size() + 1;
    for (int i = 0; i < values.length; i++) {
      values[i] = rs.getString(first + i);
    }
    return values;
  }

  /**
   * The version of a row that a read of this target returned: its table's oid, {@code ctid}
   * and {@code xmin}, as text, from the columns after the binding columns. The three together
   * name one version of one row (the table oid matters for partitioned and inherited tables,
   * whose partitions reuse {@code ctid}s), as long as the reading transaction is open.
   */
  String[] readVersion(ResultSet rs) throws SQLException {
    int first = keyColumns.size() + columns.size() + bindingColumns.size() + 1;
    return new String[] {rs.getString(first), rs.getString(first + 1), rs.getString(first + 2)};
  }

  /**
   * Each column's canonical binding value in a row whose binding columns hold
   * {@code bindingValues} ({@link #readBindingValues}): null for a column not bound to its row,
   * and for a row-bound column whose binding column is NULL in the row (such a row binds no
   * cell: the caller refuses it).
   */
  byte[][] bindings(String[] bindingValues) {
    if (bindingColumns.isEmpty()) {
      return unbound;
    }
    byte[][] out = new byte[columns.size()][];
    for (int i = 0; i < out.length; i++) {
      int slot = bindingSlots[i];
      if (slot >= 0 && bindingValues[slot] != null) {
        out[i] = RowBinding.ofRead(bindingValues[slot]);
      }
    }
    return out;
  }

  static String[] fromArray(Array array) throws SQLException {
    return array == null ? null : (String[]) array.getArray();
  }

  @Override
  public String toString() {
    return qualifiedName() + " by (" + String.join(", ", keyColumns) + ")";
  }
}
