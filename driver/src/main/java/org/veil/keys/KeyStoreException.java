package org.veil.keys;

import java.security.GeneralSecurityException;
import java.sql.SQLException;

/**
 * The key store (the {@code veil_keys} table) could not be read or written. When a database
 * error is the cause, {@link #sqlState()} is its SQLSTATE: {@code 25006} means that a key had to
 * be written and no primary answered.
 */
public class KeyStoreException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  public KeyStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The SQLSTATE of the database error behind this failure, or null when there is none. */
  public String sqlState() {
    return getCause() instanceof SQLException e ? e.getSQLState() : null;
  }
}
