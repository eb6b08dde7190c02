package org.veil.tls;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import org.postgresql.PGProperty;
import org.postgresql.ssl.LibPQFactory;
import org.postgresql.util.PSQLException;

/**
 * The TLS socket factory Veil hands to pgjdbc: pgjdbc's own {@link LibPQFactory} (so
 * {@code sslrootcert}, {@code sslcert}, {@code sslkey} and {@code sslpassword} work as users
 * know them), whose sockets are {@link VerifiedTlsSocket}s: usable only once the handshake has
 * negotiated TLS 1.3 with a server whose certificate names the host.
 *
 * <p>It subclasses rather than wraps {@code LibPQFactory} because pgjdbc reports client key
 * errors (a wrong {@code sslpassword}, an unreadable {@code sslkey}) only for subclasses of it.
 *
 * <p>The sockets offer TLS 1.3 and 1.2: a server that speaks at most TLS 1.2 completes its
 * handshake, and is then refused by name ("the server offered TLSv1.2; Veil requires TLS 1.3")
 * before any application byte is sent, instead of failing with a bare protocol alert. TLS 1.3's
 * downgrade protection stops an attacker from forcing 1.2 on a server that speaks 1.3.
 *
 * <p>Security guarantees: whatever pgjdbc does with the socket, no byte of the startup message
 * (user, database, password) passes before protocol and host name are checked; there is no
 * setting that widens the protocol list or skips the check. Instantiated by pgjdbc, once per
 * connection attempt; a missing CA file is refused here, naming the file and the setting.
 * Thread-safe.
 */
public final class Tls13SocketFactory extends LibPQFactory {

  /** The only protocol Veil's connections speak. */
  public static final String PROTOCOL = "TLSv1.3";

  /** Offered in the handshake; anything but {@link #PROTOCOL} is refused after it. */
  private static final List<String> OFFERED = List.of(PROTOCOL, "TLSv1.2");

  private final TlsReceipt receipt;
  private final String trustedCas;

  /**
   * Called by pgjdbc with the connection's properties.
   *
   * @throws TlsRefusedException when the CA file is missing, or the connect this factory was
   *     made for is over
   * @throws PSQLException when pgjdbc cannot build its TLS context (e.g. an unreadable CA file)
   */
  public Tls13SocketFactory(Properties info) throws PSQLException, TlsRefusedException {
    this(info, TlsReceipt.forConnect(info, TlsPolicy.SSL_FACTORY_ARG));
  }

  private Tls13SocketFactory(Properties info, TlsReceipt receipt)
      throws PSQLException, TlsRefusedException {
    super(withReadableRootCertificate(info, receipt));
    this.receipt = receipt;
    this.trustedCas = describeRootCertificate(info);
  }

  @Override
  public Socket createSocket(Socket socket, String host, int port, boolean autoClose)
      throws IOException {
    if (socket instanceof GuardedTcpSocket) {
      ((GuardedTcpSocket) socket).beginTls();
    }
    return verified(super.createSocket(socket, host, port, autoClose), host, port);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return verified(super.createSocket(host, port), host, port);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return verified(super.createSocket(host, port, localHost, localPort), host, port);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return verified(super.createSocket(host, port), host.getHostName(), port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return verified(super.createSocket(address, port, localAddress, localPort),
        address.getHostName(), port);
  }

  private Socket verified(Socket socket, String host, int port) throws IOException {
    SSLSocket ssl = (SSLSocket) socket;
    List<String> supported = Arrays.asList(ssl.getSupportedProtocols());
    if (!supported.contains(PROTOCOL)) {
      ssl.close();
      throw new TlsRefusedException(null, "this JVM does not offer TLS 1.3, which Veil"
          + " requires", "run on Java 11 or later with TLSv1.3 not disabled in"
          + " jdk.tls.disabledAlgorithms", null);
    }
    List<String> offered = new ArrayList<>(OFFERED);
    offered.retainAll(supported);
    ssl.setEnabledProtocols(offered.toArray(new String[0]));
    ssl.setUseClientMode(true);
    return new VerifiedTlsSocket(ssl, host, port, trustedCas, receipt);
  }

  /** The CA file LibPQFactory reads: {@code sslrootcert}, or pgjdbc's default location. */
  static Path rootCertificate(Properties info) {
    String configured = PGProperty.SSL_ROOT_CERT.getOrDefault(info);
    return Paths.get(configured != null ? configured : defaultDirectory() + "root.crt");
  }

  private static String describeRootCertificate(Properties info) {
    return PGProperty.SSL_ROOT_CERT.getOrDefault(info) != null
        ? "sslrootcert=" + rootCertificate(info)
        : rootCertificate(info) + " (pgjdbc's default, as sslrootcert is not set)";
  }

  private static Properties withReadableRootCertificate(Properties info, TlsReceipt receipt)
      throws TlsRefusedException {
    Path file = rootCertificate(info);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      String reason = PGProperty.SSL_ROOT_CERT.getOrDefault(info) != null
          ? "sslrootcert=" + file + " names no readable file"
          : "sslrootcert is not set, and pgjdbc's default CA file " + file + " does not exist";
      TlsRefusedException refusal = new TlsRefusedException(null, reason, "set sslrootcert to"
          + " the file holding the CA certificate that signed the server's certificate"
          + " (verify-full checks the server against it)", null);
      if (receipt != null) {
        receipt.refused(refusal);
      }
      throw refusal;
    }
    return info;
  }

  /** As LibPQFactory computes it: %APPDATA%\postgresql\ on Windows, ~/.postgresql/ elsewhere. */
  private static String defaultDirectory() {
    if (System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("windows")) {
      return System.getenv("APPDATA") + File.separator + "postgresql" + File.separator;
    }
    return System.getProperty("user.home") + File.separator + ".postgresql" + File.separator;
  }
}
