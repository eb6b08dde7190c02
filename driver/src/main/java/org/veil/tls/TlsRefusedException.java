package org.veil.tls;

import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Veil refused a connection at the transport, before pgjdbc sent a byte of its startup message:
 * the server offered less than TLS 1.3 or no TLS at all, its certificate is not trusted or does
 * not name the host, or the CA file is missing.
 *
 * <p>Thrown by Veil's socket factories from inside pgjdbc's connect, which wraps it; the JDBC
 * layer finds it with {@link #findIn} and reports it with SQLSTATE 08001. It is an
 * {@link SSLException} so that it travels through pgjdbc's socket code unchanged.
 *
 * <p>The message names the endpoint, the reason and the fix; it never holds a password or key.
 * Immutable.
 */
public final class TlsRefusedException extends SSLException {

  private static final long serialVersionUID = 1L;

  private final String endpoint;
  private final String reason;
  private final String fix;

  /**
   * @param endpoint {@code host:port}, or null when the refusal does not depend on the server
   * @param reason what was wrong, e.g. "the server offered TLSv1.2; Veil requires TLS 1.3"
   * @param fix what to do about it
   * @param cause the underlying failure, or null
   */
  TlsRefusedException(String endpoint, String reason, String fix, Throwable cause) {
    super((endpoint == null ? "" : endpoint + ": ") + reason + ". Fix: " + fix + ".", cause);
    this.endpoint = endpoint;
    this.reason = reason;
    this.fix = fix;
  }

  /** {@code host:port} of the server refused, or null when no server was involved. */
  public String endpoint() {
    return endpoint;
  }

  /** What was wrong, without the endpoint or the fix. */
  public String reason() {
    return reason;
  }

  /** What to do about it. */
  public String fix() {
    return fix;
  }

  /** The first refusal in {@code failure}'s cause chain, or null when Veil refused nothing. */
  public static TlsRefusedException findIn(Throwable failure) {
    List<Throwable> seen = new ArrayList<>();
    for (Throwable t = failure; t != null && !seen.contains(t); t = t.getCause()) {
      if (t instanceof TlsRefusedException) {
        return (TlsRefusedException) t;
      }
      seen.add(t);
    }
    return null;
  }
}
