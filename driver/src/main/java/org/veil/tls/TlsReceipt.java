package org.veil.tls;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What Veil's socket factories did during one {@code pgjdbc.connect}: the sockets they verified
 * (TLS 1.3, host name) and the servers they refused, so that the connection can be made to prove
 * afterwards that it runs over one of those verified sockets.
 *
 * <p>pgjdbc instantiates the factories itself, from class names, and hands them only the
 * connection's string properties; so the receipt travels as a random token in the factories'
 * argument settings ({@code sslfactoryarg}, {@code socketFactoryArg}) and is found in a registry
 * of the connects in progress. No ThreadLocal: with {@code loginTimeout} pgjdbc connects on
 * another thread.
 *
 * <p>Use: {@link #open()} before the connect, {@link #stamp} the properties handed to pgjdbc,
 * {@link #provesVerifiedTls} on the connection it returns (or {@link #summary} of the refusals
 * when it fails), and {@link #close()}. A factory that finds a token whose connect was closed
 * (pgjdbc still connecting after the caller gave up) refuses. Thread-safe.
 */
public final class TlsReceipt implements AutoCloseable {

  private static final SecureRandom TOKENS = new SecureRandom();

  /** The connects in progress; an entry lives from {@link #open()} to {@link #close()}. */
  private static final Map<String, TlsReceipt> OPEN = new ConcurrentHashMap<>();

  private final String token;
  private final Set<VerifiedTlsSocket> verified = ConcurrentHashMap.newKeySet();
  private final List<TlsRefusedException> refusals = new CopyOnWriteArrayList<>();
  private volatile boolean listening;
  private volatile VerifiedTlsSocket answered;

  private TlsReceipt(String token) {
    this.token = token;
  }

  /** A receipt for one connect, registered until {@link #close()}. */
  public static TlsReceipt open() {
    byte[] bytes = new byte[16];
    TOKENS.nextBytes(bytes);
    TlsReceipt receipt = new TlsReceipt(Base64.getUrlEncoder().withoutPadding()
        .encodeToString(bytes));
    OPEN.put(receipt.token, receipt);
    return receipt;
  }

  /** Puts this receipt's token in the properties of the connect it is for. */
  public void stamp(Properties pgjdbcProperties) {
    pgjdbcProperties.setProperty(TlsPolicy.SSL_FACTORY_ARG, token);
    pgjdbcProperties.setProperty(TlsPolicy.SOCKET_FACTORY_ARG, token);
  }

  /**
   * The receipt named in a factory's properties; null when none is named (a factory used without
   * Veil's Connector, which still verifies every socket but reports to no one).
   *
   * @throws TlsRefusedException when the named connect is over: its caller no longer waits
   */
  static TlsReceipt forConnect(Properties info, String argumentSetting)
      throws TlsRefusedException {
    String named = info.getProperty(argumentSetting);
    if (named == null || named.isEmpty()) {
      return null;
    }
    TlsReceipt receipt = OPEN.get(named);
    if (receipt == null) {
      throw new TlsRefusedException(null, "this connection attempt was already given up"
          + " (loginTimeout passed, or Veil's connect failed)", "retry the connection", null);
    }
    return receipt;
  }

  void verified(VerifiedTlsSocket socket) {
    verified.add(socket);
  }

  void refused(TlsRefusedException refusal) {
    refusals.add(refusal);
  }

  /** Called by a verified socket when pgjdbc asks it for its read timeout. */
  void heardFrom(VerifiedTlsSocket socket) {
    if (listening) {
      answered = socket;
    }
  }

  /**
   * Whether {@code connection} (pgjdbc's, as {@code connect} returned it) runs over a socket that
   * Veil's factory verified during this connect and that is still open.
   *
   * <p>pgjdbc has no public accessor for a connection's socket, but
   * {@link Connection#getNetworkTimeout()} is answered by it (PgConnection, QueryExecutor,
   * PGStream, {@code Socket.getSoTimeout()}), without a round trip to the server. So the receipt
   * listens while it asks, and the verified socket that answers is the connection's. A
   * connection on any other socket (pgjdbc's own factories, no TLS) leaves no answer.
   */
  public boolean provesVerifiedTls(Connection connection) throws SQLException {
    answered = null;
    listening = true;
    try {
      connection.getNetworkTimeout();
    } finally {
      listening = false;
    }
    VerifiedTlsSocket socket = answered;
    return socket != null && verified.contains(socket) && socket.isVerified()
        && !socket.isClosed();
  }

  /**
   * Every refusal this connect met, the same reason for several servers said once:
   * "host1:5432, host2:5432: the server offered TLSv1.2; Veil requires TLS 1.3. Fix: …".
   * {@code last} (the one pgjdbc reported) is included even if no factory recorded it.
   */
  public String summary(TlsRefusedException last) {
    List<TlsRefusedException> all = new ArrayList<>(refusals);
    if (!all.contains(last)) {
      all.add(last);
    }
    Map<String, List<String>> endpointsByReason = new LinkedHashMap<>();
    for (TlsRefusedException r : all) {
      List<String> endpoints = endpointsByReason.computeIfAbsent(
          r.reason() + ". Fix: " + r.fix() + ".", k -> new ArrayList<>());
      if (r.endpoint() != null && !endpoints.contains(r.endpoint())) {
        endpoints.add(r.endpoint());
      }
    }
    StringBuilder s = new StringBuilder();
    endpointsByReason.forEach((reason, endpoints) -> {
      if (s.length() > 0) {
        s.append(' ');
      }
      if (!endpoints.isEmpty()) {
        s.append(String.join(", ", endpoints)).append(": ");
      }
      s.append(reason);
    });
    return s.toString();
  }

  /** Ends the connect: factories that still hold the token refuse from now on. */
  @Override
  public void close() {
    OPEN.remove(token);
    for (VerifiedTlsSocket socket : verified) {
      socket.receiptClosed();
    }
  }

  @Override
  public String toString() {
    return "TlsReceipt[" + verified.size() + " verified, " + refusals.size() + " refused]";
  }
}
