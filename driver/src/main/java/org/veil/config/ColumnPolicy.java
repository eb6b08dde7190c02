package org.veil.config;

import java.util.Locale;
import org.veil.crypto.CellColumn;
import java.util.Objects;

/**
 * One encrypted column: where it is, how it is sealed, the context bound into its cells, and
 * the column of the same table, if any, whose value binds each cell to its row.
 *
 * <p>Names are stored as PostgreSQL stores unquoted identifiers: lower case. Immutable.
 *
 * @param schema the schema, {@code public} by default
 * @param table the table
 * @param column the column
 * @param mode randomized (default) or deterministic
 * @param context the encryption context bound into each cell as associated data; defaults to
 *     {@code schema.table.column}
 * @param bindingColumn the column of the same table whose value in the same row is bound into
 *     each cell as associated data too ({@code :bind=<column>}), so that a cell moved to another
 *     row does not open; null when cells are not bound to their row
 */
public record ColumnPolicy(String schema, String table, String column, EncryptionMode mode,
    String context, String bindingColumn) {

  public ColumnPolicy {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(mode, "mode");
    if (context == null || context.isEmpty()) {
      context = schema + "." + table + "." + column;
    }
    if (bindingColumn != null && bindingColumn.isEmpty()) {
      bindingColumn = null;
    }
  }

  /** A column whose cells are not bound to their row. */
  public ColumnPolicy(String schema, String table, String column, EncryptionMode mode,
      String context) {
    this(schema, table, column, mode, context, null);
  }

  public static ColumnPolicy of(String schema, String table, String column, EncryptionMode mode) {
    return new ColumnPolicy(schema.toLowerCase(Locale.ROOT), table.toLowerCase(Locale.ROOT),
        column.toLowerCase(Locale.ROOT), mode, null, null);
  }

  /** This column with its cells bound to their row by {@code column} (folded); null unbinds. */
  public ColumnPolicy boundBy(String column) {
    return new ColumnPolicy(schema, table, this.column, mode, context,
        column == null ? null : column.toLowerCase(Locale.ROOT));
  }

  /** {@code schema.table.column}, as used in error messages. */
  public String qualifiedName() {
    return schema + "." + table + "." + column;
  }

  public boolean isDeterministic() {
    return mode == EncryptionMode.DETERMINISTIC;
  }

  /**
   * What the cryptography knows of this column: its name, mode and context. A new object per
   * call: callers keep it, off the per-value paths.
   */
  public CellColumn cellColumn() {
    return isDeterministic() ? CellColumn.deterministic(qualifiedName(), context)
        : CellColumn.randomized(qualifiedName(), context, isRowBound());
  }

  /** Whether each cell is bound to its row by {@link #bindingColumn()} ({@code :bind=}). */
  public boolean isRowBound() {
    return bindingColumn != null;
  }

  /** {@code schema.table.bindingColumn}, for messages; null when the column is not row-bound. */
  public String qualifiedBindingColumn() {
    return bindingColumn == null ? null : schema + "." + table + "." + bindingColumn;
  }
}
