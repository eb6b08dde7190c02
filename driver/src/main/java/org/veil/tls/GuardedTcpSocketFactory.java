package org.veil.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Properties;
import javax.net.SocketFactory;

/**
 * The TCP socket factory Veil hands to pgjdbc ({@code socketFactory}): plain TCP sockets, as
 * pgjdbc's default would make (SOCKS system properties are honoured), that carry nothing in
 * clear but PostgreSQL's request to start TLS and, on their own short-lived sockets, query
 * cancel requests. See {@link GuardedTcpSocket}.
 *
 * <p>Security guarantees: a server that answers the TLS request with "no" is refused ("the
 * server does not offer TLS; Veil requires TLS 1.3") and the startup message, with its user
 * and password, is never written, whatever pgjdbc's {@code sslmode} logic would do. Instantiated
 * by pgjdbc once per connect; the sockets it makes for cancel requests later are guarded too.
 * Thread-safe.
 */
public final class GuardedTcpSocketFactory extends SocketFactory {

  private final TlsReceipt receipt;

  /**
   * Called by pgjdbc with the connection's properties.
   *
   * @throws TlsRefusedException when the connect this factory was made for is over
   */
  public GuardedTcpSocketFactory(Properties info) throws TlsRefusedException {
    this.receipt = TlsReceipt.forConnect(info, TlsPolicy.SOCKET_FACTORY_ARG);
  }

  /** Unconnected, as pgjdbc asks for it: it connects the socket itself, with its timeout. */
  @Override
  public Socket createSocket() {
    return new GuardedTcpSocket(receipt);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost,
        localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return connected(new InetSocketAddress(address, port),
        new InetSocketAddress(localAddress, localPort));
  }

  private Socket connected(InetSocketAddress remote, InetSocketAddress... local)
      throws IOException {
    GuardedTcpSocket socket = new GuardedTcpSocket(receipt);
    try {
      for (InetSocketAddress l : local) {
        socket.bind(l);
      }
      socket.connect(remote);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }
}
