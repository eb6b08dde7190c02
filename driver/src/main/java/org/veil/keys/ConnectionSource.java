package org.veil.keys;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens a short-lived connection to the database that holds {@code veil_keys}. The key store
 * opens and closes its own connection for each load or creation, so it never touches (or
 * commits) the application's transaction.
 */
@FunctionalInterface
public interface ConnectionSource {
  Connection open() throws SQLException;
}
