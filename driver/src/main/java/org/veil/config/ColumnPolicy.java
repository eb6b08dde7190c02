package org.veil.config;

import java.util.Locale;
import org.veil.crypto.CellColumn;
import java.util.Objects;

/**
 * One encrypted column: where it is, how it is sealed, and the context bound into its cells.
 *
 * <p>Names are stored as PostgreSQL stores unquoted identifiers: lower case. Immutable.
 *
 * @param schema the schema, {@code public} by default
 * @param table the table
 * @param column the column
 * @param mode randomized (default) or deterministic
 * @param context the encryption context bound into each cell as associated data; defaults to
 *     {@code schema.table.column}
 */
public record ColumnPolicy(String schema, String table, String column, EncryptionMode mode,
    String context) {

  public ColumnPolicy {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(mode, "mode");
    if (context == null || context.isEmpty()) {
      context = schema + "." + table + "." + column;
    }
  }

  public static ColumnPolicy of(String schema, String table, String column, EncryptionMode mode) {
    return new ColumnPolicy(schema.toLowerCase(Locale.ROOT), table.toLowerCase(Locale.ROOT),
        column.toLowerCase(Locale.ROOT), mode, null);
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
        : CellColumn.randomized(qualifiedName(), context, false);
  }
}
