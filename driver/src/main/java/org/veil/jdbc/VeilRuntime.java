package org.veil.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.veil.config.VeilConfig;

/**
 * What the connections of one configuration share: the configuration itself, and the state
 * built from it once (the column catalog, statement analysis, keys). Thread-safe; one per data
 * source, never static.
 */
final class VeilRuntime {

  private final VeilConfig config;
  private final ColumnCatalog catalog;

  VeilRuntime(VeilConfig config) {
    this.config = config;
    this.catalog = new ColumnCatalog(config.columns());
  }

  VeilConfig config() {
    return config;
  }

  boolean encryptsAnything() {
    return !config.columns().isEmpty();
  }

  /** Called with each new pgjdbc connection, before the application sees it. */
  void onConnect(Connection pg) throws SQLException {
    catalog.checkOnce(pg);
  }

  /** Which columns of a pgjdbc result are encrypted. */
  ResultColumns resultColumns(ResultSet result, Connection pg) throws SQLException {
    return encryptsAnything() ? ResultColumns.of(result, config.columns(), catalog, pg)
        : ResultColumns.NONE;
  }
}
