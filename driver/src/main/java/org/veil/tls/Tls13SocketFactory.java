package org.veil.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Properties;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.postgresql.ssl.LibPQFactory;
import org.postgresql.util.PSQLException;

/**
 * The TLS socket factory Veil hands to pgjdbc: pgjdbc's own {@link LibPQFactory} (so
 * {@code sslrootcert}, {@code sslcert}, {@code sslkey} and {@code sslpassword} work as users
 * know them), with every socket limited to TLS 1.3.
 *
 * <p>It subclasses rather than wraps {@code LibPQFactory} because pgjdbc reports client key
 * errors (a wrong {@code sslpassword}, an unreadable {@code sslkey}) only for subclasses of it.
 * Host name verification stays with pgjdbc under {@code sslmode=verify-full}, which Veil always
 * sets.
 *
 * <p>Security guarantees: a handshake below TLS 1.3 fails; there is no setting that widens the
 * protocol list.
 */
public final class Tls13SocketFactory extends LibPQFactory {

  /** The only protocol Veil's connections speak. */
  public static final String PROTOCOL = "TLSv1.3";

  private static final String[] PROTOCOLS = {PROTOCOL};

  /** Called by pgjdbc with the connection's properties. */
  public Tls13SocketFactory(Properties info) throws PSQLException {
    super(info);
  }

  @Override
  public Socket createSocket(Socket socket, String host, int port, boolean autoClose)
      throws IOException {
    return tls13Only(super.createSocket(socket, host, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return tls13Only(super.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return tls13Only(super.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return tls13Only(super.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return tls13Only(super.createSocket(address, port, localAddress, localPort));
  }

  private static Socket tls13Only(Socket socket) throws IOException {
    SSLSocket ssl = (SSLSocket) socket;
    if (!Arrays.asList(ssl.getSupportedProtocols()).contains(PROTOCOL)) {
      ssl.close();
      throw new SSLException("this JVM does not offer TLS 1.3, which Veil requires;"
          + " run on Java 11 or later with TLSv1.3 not disabled in jdk.tls.disabledAlgorithms");
    }
    ssl.setEnabledProtocols(PROTOCOLS.clone());
    return ssl;
  }
}
