package org.veil.error;

import java.util.Objects;

/**
 * An error of Veil's own, raised below the JDBC layer (configuration, statement analysis, TLS
 * policy, the cell codec, key providers), typed by a {@link VeilError}. The JDBC layer reports
 * each one, once, as an {@code SQLException} with the error's SQLSTATE, message and cause; an
 * application never sees this type.
 *
 * <p>The message names the setting, table, column or key id concerned and what to do; it never
 * holds a key, a password or a plaintext value. Immutable, like any exception once thrown.
 */
public final class VeilException extends Exception {

  private static final long serialVersionUID = 1L;

  private final VeilError error;

  /**
   * @param error what went wrong; not null
   * @param message the complete message the application will read; not null
   */
  public VeilException(VeilError error, String message) {
    this(error, message, null);
  }

  /**
   * @param error what went wrong; not null
   * @param message the complete message the application will read; not null
   * @param cause the failure underneath, or null
   */
  public VeilException(VeilError error, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.error = Objects.requireNonNull(error, "error");
  }

  /** What went wrong; never null. */
  public VeilError error() {
    return error;
  }
}
