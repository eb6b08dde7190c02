package org.veil.tls;

import java.util.Locale;
import java.util.Properties;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * Veil's one rule for the transport: {@code sslmode=verify-full} over TLS 1.3, always.
 *
 * <p>{@link #check} refuses a setting that would weaken it, with an error that names the setting,
 * where it came from and the fix; nothing is silently upgraded or downgraded, and no switch turns
 * TLS off. {@link #apply} sets what Veil hands pgjdbc. The settings are only the first line: the
 * sockets of {@link Tls13SocketFactory} and {@link GuardedTcpSocketFactory} assert protocol and
 * host themselves, whatever the settings said.
 */
public final class TlsPolicy {

  static final String SSLMODE = "sslmode";
  static final String SSL = "ssl";
  static final String SSL_FACTORY = "sslfactory";
  static final String SSL_FACTORY_ARG = "sslfactoryarg";
  static final String SSL_HOSTNAME_VERIFIER = "sslhostnameverifier";
  static final String SOCKET_FACTORY = "socketFactory";
  static final String SOCKET_FACTORY_ARG = "socketFactoryArg";
  static final String GSS_ENC_MODE = "gssEncMode";

  private static final String VERIFY_FULL = "verify-full";

  /*
   * pgjdbc's own defaults, which PGSimpleDataSource.setUrl() stores as if they were set and
   * getUrl() spells out, so their presence says nothing about what the user chose. Whatever the
   * name, pgjdbc is handed Veil's factory (apply), and Veil's sockets check the protocol.
   * gssEncMode=allow only lets pgjdbc fall back to GSSAPI encryption, which Veil turns off.
   */
  private static final String PGJDBC_DEFAULT_FACTORY = "org.postgresql.ssl.LibPQFactory";
  private static final String PGJDBC_DEFAULT_GSS_ENC_MODE = "allow";

  private TlsPolicy() {}

  /**
   * Checks one source of settings (URL parameters, connection properties, a service file, or
   * their merge as {@code org.postgresql.Driver.parseURL} gives it).
   *
   * @param source where the settings came from, as a message names it ("URL parameter")
   * @throws VeilException with SQLSTATE 08001 naming the first setting that weakens TLS
   */
  public static void check(Properties settings, String source) throws VeilException {
    String sslmode = settings.getProperty(SSLMODE);
    if (sslmode != null && !VERIFY_FULL.equals(sslmode.trim().toLowerCase(Locale.ROOT))) {
      throw refused(SSLMODE + "=" + sslmode, source, "remove it or set sslmode=verify-full;"
          + " give the server's CA with sslrootcert=/path/to/root.crt");
    }
    String ssl = settings.getProperty(SSL);
    if (ssl != null && !ssl.trim().isEmpty() && !"true".equalsIgnoreCase(ssl.trim())) {
      throw refused(SSL + "=" + ssl, source, "remove it: Veil always connects with TLS");
    }
    String factory = settings.getProperty(SSL_FACTORY);
    if (factory != null && !factory.trim().equals(Tls13SocketFactory.class.getName())
        && !factory.trim().equals(PGJDBC_DEFAULT_FACTORY)) {
      throw refused(SSL_FACTORY + "=" + factory, source, "remove it: Veil supplies its own"
          + " TLS 1.3 factory; client certificates go in sslcert, sslkey and sslpassword");
    }
    for (String argument : new String[] {SSL_FACTORY_ARG, SOCKET_FACTORY_ARG}) {
      if (settings.getProperty(argument) != null) {
        throw refused(argument, source, "remove it: Veil's socket factories take no argument");
      }
    }
    if (settings.getProperty(SSL_HOSTNAME_VERIFIER) != null) {
      throw refused(SSL_HOSTNAME_VERIFIER, source, "remove it: the server's host name is always"
          + " checked against its certificate (sslmode=verify-full)");
    }
    String socketFactory = settings.getProperty(SOCKET_FACTORY);
    if (socketFactory != null
        && !socketFactory.trim().equals(GuardedTcpSocketFactory.class.getName())) {
      throw refused(SOCKET_FACTORY + "=" + socketFactory, source, "remove it: Veil connects over"
          + " TCP with TLS 1.3 (a Unix-domain socket carries no TLS); for a SOCKS proxy use the"
          + " socksProxyHost and socksProxyPort system properties");
    }
    String gss = settings.getProperty(GSS_ENC_MODE);
    if (gss != null && !"disable".equalsIgnoreCase(gss.trim())
        && !PGJDBC_DEFAULT_GSS_ENC_MODE.equalsIgnoreCase(gss.trim())) {
      throw refused(GSS_ENC_MODE + "=" + gss, source, "remove it: Veil's connections are"
          + " encrypted with TLS 1.3, not GSSAPI; Kerberos authentication over TLS still works");
    }
  }

  /**
   * Sets what makes the delegate connection verify-full over TLS 1.3: the mode, Veil's TLS and
   * TCP socket factories, and GSSAPI encryption off (pgjdbc would otherwise prefer it to TLS
   * when a Kerberos ticket is at hand). Properties handed to pgjdbc with these set, and a URL
   * without parameters, leave pgjdbc nothing that overrides them.
   */
  public static void apply(Properties delegateProperties) {
    delegateProperties.setProperty(SSLMODE, VERIFY_FULL);
    delegateProperties.setProperty(SSL_FACTORY, Tls13SocketFactory.class.getName());
    delegateProperties.setProperty(SOCKET_FACTORY, GuardedTcpSocketFactory.class.getName());
    delegateProperties.setProperty(GSS_ENC_MODE, "disable");
    delegateProperties.remove(SSL_FACTORY_ARG);
    delegateProperties.remove(SOCKET_FACTORY_ARG);
    delegateProperties.remove(SSL_HOSTNAME_VERIFIER);
  }

  private static VeilException refused(String setting, String source, String fix) {
    return new VeilException(VeilError.CONNECTION_REFUSED, "Veil refuses " + setting + " ("
        + source + "): connections are always sslmode=verify-full over TLS 1.3. Fix: " + fix
        + ".");
  }
}
