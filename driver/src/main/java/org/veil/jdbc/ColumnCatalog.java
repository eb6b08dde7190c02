package org.veil.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.catalog.CatalogColumns;
import org.veil.catalog.CatalogColumns.Attribute;
import org.veil.catalog.StorageForm;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * What the database says about the configured columns: that they exist, whether each stores
 * its cells as {@code bytea} or as text, and which view columns expose them. Checked once per
 * data source, at the first connection; a column whose table does not exist yet (a migration
 * will create it) is looked up when it is first used. Until then its table is {@linkplain
 * #missingTables() missing}, and writes to the same entity under another name are refused (see
 * {@link org.veil.config.EntityNames}). Thread-safe.
 */
final class ColumnCatalog {

  /*
   * Views report their own name and column in a result's row description, not the table's.
   * A view column that exposes an encrypted column under the same name is encrypted too, with
   * the table column's mode and context; the dependency comes from pg_depend.
   */
  private static final String VIEWS_QUERY = "SELECT DISTINCT vn.nspname, v.relname, a.attname,"
      + " tn.nspname, t.relname"
      + " FROM pg_catalog.pg_depend d"
      + " JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid"
      + " JOIN pg_catalog.pg_class v ON v.oid = r.ev_class AND v.relkind IN ('v', 'm')"
      + " JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace"
      + " JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
      + " JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
      + " JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
      + " JOIN pg_catalog.pg_attribute va ON va.attrelid = v.oid AND va.attname = a.attname"
      + "   AND NOT va.attisdropped"
      + " WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass"
      + " AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0"
      + " AND v.oid <> t.oid AND tn.nspname = ANY (?) AND t.relname = ANY (?)";

  private final EncryptedColumns columns;
  private final ConcurrentMap<ColumnPolicy, StorageForm> forms = new ConcurrentHashMap<>();
  /** The type of each row-bound column's binding column, once checked. */
  private final ConcurrentMap<ColumnPolicy, RowBinding.Type> bindingTypes =
      new ConcurrentHashMap<>();
  /** Configured tables ({@code schema.table}) that the catalog did not show when last asked. */
  private final Set<String> missing = ConcurrentHashMap.newKeySet();

  ColumnCatalog(EncryptedColumns columns) {
    this.columns = columns;
  }

  /**
   * Checks every configured column whose table exists, and finds the view columns that expose
   * them.
   *
   * @param pg a pgjdbc connection (not a Veil one) to read the catalog through
   * @return the view columns that expose encrypted columns, as policies of their own with the
   *     table column's mode and context
   * @throws SQLException naming the column when it is missing or of a type that cannot hold a
   *     cell, with the ALTER TABLE that fixes it
   */
  List<ColumnPolicy> check(Connection pg) throws SQLException {
    if (columns.isEmpty()) {
      return List.of();
    }
    lookUp(pg, Set.copyOf(columns.all()), false);
    return viewColumns(pg);
  }

  /** The view columns that expose encrypted columns, as the catalog shows them now. */
  List<ColumnPolicy> viewColumns(Connection pg) throws SQLException {
    Set<String> schemas = new LinkedHashSet<>();
    Set<String> tables = new LinkedHashSet<>();
    for (ColumnPolicy p : columns.all()) {
      schemas.add(p.schema());
      tables.add(p.table());
    }
    List<ColumnPolicy> derived = new ArrayList<>();
    try (PreparedStatement ps = pg.prepareStatement(VIEWS_QUERY)) {
      ps.setArray(1, pg.createArrayOf("text", schemas.toArray()));
      ps.setArray(2, pg.createArrayOf("text", tables.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ColumnPolicy base = columns.find(rs.getString(4), rs.getString(5), rs.getString(3));
          StorageForm form = base == null ? null : forms.get(base);
          if (form != null) {
            // A row-bound column stays bound through the view, by the view's column of the
            // binding column's name: its reads need it in their results, its writes in theirs.
            ColumnPolicy view = new ColumnPolicy(rs.getString(1), rs.getString(2),
                rs.getString(3), base.mode(), base.context(), base.bindingColumn());
            forms.put(view, form);
            RowBinding.Type bindingType = bindingTypes.get(base);
            if (bindingType != null) {
              bindingTypes.put(view, bindingType);
            }
            derived.add(view);
          }
        }
      }
    }
    return derived;
  }

  /**
   * The configured tables ({@code schema.table}) whose check is deferred: they did not exist
   * when the catalog was last read for them. Empty (and cheap) once every table has been seen.
   */
  Set<String> missingTables() {
    return missing.isEmpty() ? Set.of() : Set.copyOf(missing);
  }

  /**
   * Whether configured table {@code table} ({@code schema.table}) still does not exist: asks the
   * catalog again through {@code pg}, and checks its columns if it exists now.
   */
  boolean stillMissing(String table, Connection pg) throws SQLException {
    Set<ColumnPolicy> wanted = new LinkedHashSet<>();
    for (ColumnPolicy p : columns.all()) {
      if ((p.schema() + "." + p.table()).equals(table)) {
        wanted.add(p);
      }
    }
    if (wanted.isEmpty()) {
      missing.remove(table);
      return false;
    }
    lookUp(pg, wanted, false);
    return missing.contains(table);
  }

  /** The storage form of {@code column}, looked up through {@code pg} if not yet known. */
  StorageForm form(ColumnPolicy column, Connection pg) throws SQLException {
    StorageForm form = forms.get(column);
    if (form == null) {
      lookUp(pg, Set.of(column), true);
      form = forms.get(column);
    }
    return form;
  }

  /**
   * The type of row-bound {@code column}'s binding column, looked up (and checked) through
   * {@code pg} if not yet known.
   *
   * @throws SQLException when the binding column does not exist or has a type that cannot bind
   */
  RowBinding.Type bindingType(ColumnPolicy column, Connection pg) throws SQLException {
    RowBinding.Type type = bindingTypes.get(column);
    if (type == null) {
      lookUp(pg, Set.of(column), true);
      type = bindingTypes.get(column);
    }
    return type;
  }

  /**
   * Reads again how {@code columns}, and the other configured columns of their tables, store
   * their cells, replacing what was cached: for statements that failed because a column was
   * converted from text to bytea since it was read.
   *
   * @return those of {@code columns} that are stored as bytea now
   */
  Set<ColumnPolicy> reread(Collection<ColumnPolicy> columns, Connection pg)
      throws SQLException {
    Set<ColumnPolicy> wanted = new LinkedHashSet<>(columns);
    for (ColumnPolicy p : this.columns.all()) {
      if (columns.stream().anyMatch(c -> c.schema().equals(p.schema())
          && c.table().equals(p.table()))) {
        wanted.add(p);
      }
    }
    lookUp(pg, wanted, false);
    Set<ColumnPolicy> binary = new LinkedHashSet<>();
    for (ColumnPolicy p : columns) {
      if (forms.get(p) == StorageForm.BINARY) {
        binary.add(p);
      }
    }
    return binary;
  }

  private void lookUp(Connection pg, Set<ColumnPolicy> wanted, boolean tableMustExist)
      throws SQLException {
    Set<String> schemas = new LinkedHashSet<>();
    Set<String> tables = new LinkedHashSet<>();
    for (ColumnPolicy p : wanted) {
      schemas.add(p.schema());
      tables.add(p.table());
    }
    Map<String, Attribute> found = CatalogColumns.of(pg, schemas, tables);
    Set<String> foundTables = new LinkedHashSet<>();
    for (Attribute a : found.values()) {
      foundTables.add(a.schema() + "." + a.table());
    }
    for (ColumnPolicy p : wanted) {
      String table = p.schema() + "." + p.table();
      if (!foundTables.contains(table)) {
        missing.add(table);
        if (tableMustExist) {
          throw SqlErrors.of(VeilError.UNDEFINED_COLUMN,
              "veil.columns names " + p.qualifiedName() + ", but there is no"
              + " table " + table + " (as the application's role sees it). Create it, or fix"
              + " veil.columns.");
        }
        continue;
      }
      missing.remove(table);
      Attribute type = found.get(p.qualifiedName());
      if (type == null) {
        throw SqlErrors.of(VeilError.UNDEFINED_COLUMN,
            "veil.columns names " + p.qualifiedName() + ", but table "
            + table + " has no column " + p.column() + ". Fix veil.columns or add the column:"
            + " ALTER TABLE " + table + " ADD COLUMN " + p.column() + " bytea");
      }
      try {
        forms.put(p, StorageForm.of(p, type.type(), type.typmod()));
      } catch (VeilException e) {
        throw SqlErrors.of(e);
      }
      if (p.isRowBound()) {
        bindingTypes.put(p,
            RowBinding.bindingColumnType(p, found.get(p.qualifiedBindingColumn())));
      }
    }
  }
}
