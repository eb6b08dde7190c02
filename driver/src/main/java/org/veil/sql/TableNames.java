package org.veil.sql;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;

/**
 * The names of the tables (and views) that have encrypted columns, and which of them an
 * unqualified name means under a given search path. Immutable and thread-safe; one per analyzer.
 */
final class TableNames {

  /** For each table name, the schemas where it is configured, in configuration order. */
  private final Map<String, List<String>> schemas = new LinkedHashMap<>();
  private final Map<String, List<ColumnPolicy>> columns = new LinkedHashMap<>();
  private final Set<String> names;

  TableNames(EncryptedColumns configured) {
    for (ColumnPolicy column : configured.all()) {
      List<String> inSchemas = schemas.computeIfAbsent(column.table(), t -> new ArrayList<>());
      if (!inSchemas.contains(column.schema())) {
        inSchemas.add(column.schema());
      }
      columns.computeIfAbsent(column.table(), t -> new ArrayList<>()).add(column);
    }
    names = Collections.unmodifiableSet(schemas.keySet());
  }

  /** Every configured table name; the same set instance each time. */
  Set<String> names() {
    return names;
  }

  boolean isConfigured(String table) {
    return schemas.containsKey(table);
  }

  /** The encrypted columns of every configured table called {@code table}, for messages. */
  List<ColumnPolicy> columnsNamed(String table) {
    return columns.getOrDefault(table, List.of());
  }

  /**
   * The schema of the table that unqualified {@code table} means under {@code path}: where the
   * server found a relation of that name (a configured one, or another that shadows it). Where it
   * found none, the statement fails on the server unless the table appears meanwhile, so the name
   * is taken to mean a configured table (the first on the path, else the first configured): a
   * value then goes sealed, never as plaintext.
   */
  String resolve(String table, SearchPath path) {
    String found = path.schemaOf(table);
    if (found != null) {
      return found;
    }
    List<String> configured = schemas.get(table);
    for (String schema : path.schemas()) {
      if (configured.contains(schema)) {
        return schema;
      }
    }
    return configured.get(0);
  }
}
