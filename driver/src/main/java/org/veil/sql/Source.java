package org.veil.sql;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;

/**
 * One entry of a FROM list (a table, a CTE reference or a derived table) as statement analysis
 * sees it: the names it answers to and which of its columns are encrypted.
 *
 * @param schema the schema of a base table; null for a derived table or CTE
 * @param name the table or CTE name; the alias for a derived table
 * @param alias the alias, or null; when present it is the only name the source answers to
 * @param encrypted the encrypted columns by (folded) column name; other columns are plain
 */
record Source(String schema, String name, String alias, Map<String, ColumnPolicy> encrypted) {

  /**
   * A base table, named as PostgreSQL folds identifiers. {@code schema} is where the session's
   * search path found it when it was named without one; null only for a name that no configured
   * table has (taken as public; it has no encrypted columns either way).
   */
  static Source table(EncryptedColumns columns, String schema, String name, String alias) {
    String resolvedSchema = schema == null ? EncryptedColumns.DEFAULT_SCHEMA : schema;
    Map<String, ColumnPolicy> encrypted = new LinkedHashMap<>();
    for (ColumnPolicy policy : columns.forTable(resolvedSchema, name)) {
      // EncryptedColumns folds case; a quoted mixed-case name is a different table.
      if (policy.schema().equals(resolvedSchema) && policy.table().equals(name)) {
        encrypted.put(policy.column(), policy);
      }
    }
    return new Source(resolvedSchema, name, alias, Collections.unmodifiableMap(encrypted));
  }

  static Source derived(String name, Map<String, ColumnPolicy> encrypted) {
    return new Source(null, name, null,
        Collections.unmodifiableMap(new LinkedHashMap<>(encrypted)));
  }

  Source withAlias(String newAlias) {
    return newAlias == null ? this : new Source(schema, name, newAlias, encrypted);
  }

  /** Whether a column qualifier {@code [qualifierSchema.]qualifierName} names this source. */
  boolean answersTo(String qualifierSchema, String qualifierName) {
    if (alias != null) {
      return qualifierSchema == null && alias.equals(qualifierName);
    }
    return name.equals(qualifierName)
        && (qualifierSchema == null || qualifierSchema.equals(schema));
  }

  boolean hasEncryptedColumns() {
    return !encrypted.isEmpty();
  }
}
