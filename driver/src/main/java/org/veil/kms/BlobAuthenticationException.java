package org.veil.kms;

/**
 * An unwrap refused because the blob does not authenticate: it was not made by this master key
 * with this {@link KeyContext}, or it was altered since. A refusal, never an outage
 * ({@link #isUnavailable()} is false); retrying cannot help. Messages name key ids, never key
 * bytes.
 */
public final class BlobAuthenticationException extends KeyProviderException {
  private static final long serialVersionUID = 1L;

  public BlobAuthenticationException(String message, Throwable cause) {
    super(message, false, cause);
  }
}
