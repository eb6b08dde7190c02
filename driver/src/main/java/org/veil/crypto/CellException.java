package org.veil.crypto;

import java.security.GeneralSecurityException;

/**
 * A stored cell cannot be opened: it is not a Veil cell, or it fails authentication because it
 * was altered, truncated or copied from another column. The message names the column and the key
 * id, never the value or any key. The JDBC layer reports it once, as an {@code SQLException} with
 * SQLSTATE {@code 22000} ({@code VeilError.CELL_INVALID}).
 */
public final class CellException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  private final String column;
  private final String keyId;

  CellException(String column, String keyId, String problem, Throwable cause) {
    super("cell in column " + column + " (key " + (keyId == null ? "unknown" : keyId) + ") "
        + problem, cause);
    this.column = column;
    this.keyId = keyId;
  }

  /** The column's qualified name, {@code schema.table.column}. */
  public String column() {
    return column;
  }

  /** The key id named by the cell (UUID form), or null when the cell is too short to name one. */
  public String keyId() {
    return keyId;
  }
}
