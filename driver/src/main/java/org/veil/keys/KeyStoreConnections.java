package org.veil.keys;

import java.util.Objects;

/**
 * Where a key store's own connections go, for one database: reads to the server that the
 * application's connection is on ({@code veil_keys} replicates with the data, so a standby
 * serves the keys of the cells it holds), writes (a new keyring, a branch key rotation) to a
 * primary. With one server both are the same source.
 *
 * @param reads opens a connection to the server whose data the keys protect
 * @param writes opens a connection to a primary of that database; fails with SQLSTATE 25006
 *     when none answers
 * @param database how messages name the database, e.g. {@code database app on db1:5432};
 *     never null, never holds a password
 */
public record KeyStoreConnections(ConnectionSource reads, ConnectionSource writes,
    String database) {

  public KeyStoreConnections {
    Objects.requireNonNull(database, "database");
  }

  /** One source for reads and writes: a single server, as the tools and tests use. */
  public static KeyStoreConnections of(ConnectionSource source) {
    return new KeyStoreConnections(source, source, "the configured database");
  }

  @Override
  public String toString() {
    return "KeyStoreConnections[" + database + "]";
  }
}
