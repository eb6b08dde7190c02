package org.veil.crypto;

import java.security.GeneralSecurityException;

/**
 * A key needed to seal or open a cell could not be obtained: the key provider or the key store
 * failed, did not answer in time, or the grace period for a cached key has run out. The message
 * names the key id and keyring and says what to check; never key bytes. The JDBC layer reports
 * it with SQLSTATE {@code 58000}.
 */
public class KeyUnavailableException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  private final String keyId;

  public KeyUnavailableException(String keyId, String message, Throwable cause) {
    super(message, cause);
    this.keyId = keyId;
  }

  /** The key id (UUID form) or null when no particular key was involved. */
  public String keyId() {
    return keyId;
  }
}
