package org.veil.bench.e2e;

import org.veil.testing.PostgresServer;

/**
 * Where a contender stores its rows: the one benchmark server and the contender's own table
 * there (each contender has a table of its own, with the same five columns).
 */
public record Target(PostgresServer server, String table) {

  /** {@code table.column}, as Veil's {@code veil.columns} and similar settings name a column. */
  public String qualified(ProtectedColumn column) {
    return table + "." + column.sqlName();
  }
}
