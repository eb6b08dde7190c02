package org.veil.crypto;

/**
 * No key has the id a cell names: the cell was altered, written in another database or with
 * another key store, or its key was deleted. The codec reports it as a cell that cannot be
 * opened ({@link CellException}), not as an outage.
 */
public final class KeyNotFoundException extends KeyUnavailableException {
  private static final long serialVersionUID = 1L;

  public KeyNotFoundException(String keyId, String message) {
    super(keyId, message, null);
  }
}
