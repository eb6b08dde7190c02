package org.veil.keys;

import java.security.GeneralSecurityException;

/** The key store (the {@code veil_keys} table) could not be read or written. */
public class KeyStoreException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  public KeyStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
