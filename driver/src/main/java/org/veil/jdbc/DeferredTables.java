package org.veil.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import org.veil.config.EncryptedColumns;
import org.veil.config.EntityNames;
import org.veil.error.VeilError;
import org.veil.keys.ConnectionSource;
import org.veil.sql.WriteTargets;

/**
 * Configured tables whose check is deferred because they did not exist at the first connection
 * (a migration will create them), and what that must not let through: a statement that writes
 * to the same entity's table under another name ({@code sd_contacts} for {@code sd_contact},
 * see {@link EntityNames}). That is the application using its table under a name Veil was not
 * told, and the values of its encrypted columns would go out unsealed, so it is refused
 * (42703) until the configured table exists. Thread-safe; one per runtime.
 */
final class DeferredTables {

  private final ColumnCatalog catalog;
  private final EntityNames names;
  private final ConnectionSource ownConnections;

  DeferredTables(ColumnCatalog catalog, EntityNames names, ConnectionSource ownConnections) {
    this.catalog = catalog;
    this.names = names;
    this.ownConnections = ownConnections;
  }

  /**
   * Refuses {@code sql} when it writes to another name of a configured table that does not
   * exist. Costs an emptiness check once every configured table has been seen; until then, a
   * scan of the SQL's words, and a parse and a catalog query (on a connection of Veil's own)
   * only for SQL that names such an entity.
   *
   * @param columns the encrypted columns in effect: a write to one of their tables is that
   *     table's own, checked when its values are bound
   */
  void refuseWritesUnderOtherNames(String sql, EncryptedColumns columns) throws SQLException {
    Set<String> missing = catalog.missingTables();
    if (missing.isEmpty() || !names.mayName(sql, missing)) {
      return;
    }
    List<WriteTargets.Target> targets = WriteTargets.of(sql);
    if (targets == null) {
      String table = missing.iterator().next();
      if (stillMissing(table)) {
        throw SqlErrors.of(VeilError.UNDEFINED_COLUMN, "this statement may write to a table of the entity configured"
            + " as " + table + " (by " + names.sourceOf(table) + ") under another name, and"
            + " Veil cannot parse it to tell; " + table + " does not exist. Name the table the"
            + " application writes to in the entity's @Table or @EncryptedTable, or in"
            + " veil.columns");
      }
      return;
    }
    for (WriteTargets.Target target : targets) {
      if (!columns.forTable(target.schema(), target.name()).isEmpty()) {
        continue;
      }
      for (String table : names.tablesNamedBy(target.name(), missing)) {
        if (stillMissing(table)) {
          String written = target.schema() == null ? target.name()
              : target.schema() + "." + target.name();
          throw SqlErrors.of(VeilError.UNDEFINED_COLUMN, "this statement writes to table " + written + ", the table"
              + " of the entity configured as " + table + " (by " + names.sourceOf(table)
              + ") under another name, and " + table + " does not exist (as the application's"
              + " role sees it): Veil would send its encrypted columns unsealed. Tell Veil the"
              + " table's name: @EncryptedTable(name = \"" + target.name() + "\") or the"
              + " entity's @Table, or veil.columns");
        }
      }
    }
  }

  /** Whether configured table {@code table} still does not exist, asked on Veil's own connection. */
  private boolean stillMissing(String table) throws SQLException {
    try (Connection own = ownConnections.open()) {
      return catalog.stillMissing(table, own);
    }
  }
}
