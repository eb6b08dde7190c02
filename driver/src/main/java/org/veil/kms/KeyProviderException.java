package org.veil.kms;

import java.security.GeneralSecurityException;

/**
 * A key provider call failed. {@link #isUnavailable()} tells an outage (network, timeout,
 * throttling: worth retrying, cached keys may still be served) from a refusal (wrong key, access
 * denied, a blob that does not authenticate). Messages name key ids, never key bytes.
 */
public class KeyProviderException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  private final boolean unavailable;

  public KeyProviderException(String message, boolean unavailable, Throwable cause) {
    super(message, cause);
    this.unavailable = unavailable;
  }

  public KeyProviderException(String message, boolean unavailable) {
    this(message, unavailable, null);
  }

  /** True when the provider could not be reached or did not answer in time. */
  public boolean isUnavailable() {
    return unavailable;
  }
}
