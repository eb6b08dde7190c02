package org.veil.tls;

import java.util.Locale;
import java.util.Properties;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * Veil's one rule for the transport: {@code sslmode=verify-full} over TLS 1.3, always.
 *
 * <p>A setting that would weaken it is refused with an error that names the setting and the
 * fix; nothing is silently upgraded or downgraded, and no switch turns TLS off.
 */
public final class TlsPolicy {

  static final String SSLMODE = "sslmode";
  static final String SSL = "ssl";
  static final String SSL_FACTORY = "sslfactory";
  static final String SSL_HOSTNAME_VERIFIER = "sslhostnameverifier";
  static final String SOCKET_FACTORY = "socketFactory";
  static final String GSS_ENC_MODE = "gssEncMode";

  private static final String VERIFY_FULL = "verify-full";

  /*
   * pgjdbc's own defaults. PGSimpleDataSource.getUrl() spells out every default, so their
   * presence says nothing about what the user chose. The default factory is accepted because
   * Veil's factory is that same class, limited to TLS 1.3; gssEncMode=allow only lets pgjdbc
   * fall back to GSSAPI encryption if TLS is unavailable, which Veil turns off.
   */
  private static final String PGJDBC_DEFAULT_FACTORY = "org.postgresql.ssl.LibPQFactory";
  private static final String PGJDBC_DEFAULT_GSS_ENC_MODE = "allow";

  private TlsPolicy() {}

  /**
   * Checks the settings pgjdbc would use ({@code effective}: URL parameters, properties and
   * service file merged, as {@code org.postgresql.Driver.parseURL} gives them).
   *
   * @throws VeilException with SQLSTATE 08001 naming the first setting that weakens TLS
   */
  public static void check(Properties effective) throws VeilException {
    String sslmode = effective.getProperty(SSLMODE);
    if (sslmode != null && !VERIFY_FULL.equals(sslmode.trim().toLowerCase(Locale.ROOT))) {
      throw refused(SSLMODE + "=" + sslmode, "remove it or set sslmode=verify-full;"
          + " give the server's CA with sslrootcert=/path/to/root.crt");
    }
    String ssl = effective.getProperty(SSL);
    if (ssl != null && !ssl.trim().isEmpty() && !"true".equalsIgnoreCase(ssl.trim())) {
      throw refused(SSL + "=" + ssl, "remove it: Veil always connects with TLS");
    }
    String factory = effective.getProperty(SSL_FACTORY);
    if (factory != null && !factory.trim().equals(Tls13SocketFactory.class.getName())
        && !factory.trim().equals(PGJDBC_DEFAULT_FACTORY)) {
      throw refused(SSL_FACTORY + "=" + factory, "remove it: Veil supplies its own TLS 1.3"
          + " factory; client certificates go in sslcert, sslkey and sslpassword");
    }
    if (effective.getProperty(SSL_HOSTNAME_VERIFIER) != null) {
      throw refused(SSL_HOSTNAME_VERIFIER, "remove it: the server's host name is always checked"
          + " against its certificate (sslmode=verify-full)");
    }
    if (effective.getProperty(SOCKET_FACTORY) != null) {
      throw refused(SOCKET_FACTORY + "=" + effective.getProperty(SOCKET_FACTORY),
          "remove it: Veil connects over TCP with TLS 1.3 (a Unix-domain socket carries no TLS);"
              + " for a SOCKS proxy use socksProxyHost and socksProxyPort");
    }
    String gss = effective.getProperty(GSS_ENC_MODE);
    if (gss != null && !"disable".equalsIgnoreCase(gss.trim())
        && !PGJDBC_DEFAULT_GSS_ENC_MODE.equalsIgnoreCase(gss.trim())) {
      throw refused(GSS_ENC_MODE + "=" + gss, "remove it: Veil's connections are encrypted with"
          + " TLS 1.3, not GSSAPI; Kerberos authentication over TLS still works");
    }
  }

  /**
   * Sets what makes the delegate connection verify-full over TLS 1.3: the mode, Veil's socket
   * factory, and GSSAPI encryption off (pgjdbc would otherwise prefer it to TLS when a Kerberos
   * ticket is at hand).
   */
  public static void apply(Properties delegateProperties) {
    delegateProperties.setProperty(SSLMODE, VERIFY_FULL);
    delegateProperties.setProperty(SSL_FACTORY, Tls13SocketFactory.class.getName());
    delegateProperties.setProperty(GSS_ENC_MODE, "disable");
  }

  private static VeilException refused(String setting, String fix) {
    return new VeilException(VeilError.CONNECTION_REFUSED,
        "Veil refuses " + setting + ": connections are always"
        + " sslmode=verify-full over TLS 1.3. Fix: " + fix + ".");
  }
}
