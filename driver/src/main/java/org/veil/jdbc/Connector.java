package org.veil.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.veil.config.VeilConfig;
import org.veil.tls.PgjdbcSettings;
import org.veil.tls.TlsReceipt;
import org.veil.tls.TlsRefusedException;

/**
 * Opens Veil connections: resolves and checks the settings, hands pgjdbc its share of them,
 * checks that the connection pgjdbc returns runs over Veil's verified TLS, and wraps it. Each
 * {@link VeilDriver} and {@link VeilDataSource} owns one, with the runtimes of the
 * configurations it has seen.
 */
final class Connector {

  private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();
  private final ConcurrentMap<VeilConfig, VeilRuntime> runtimes = new ConcurrentHashMap<>();

  /**
   * Opens a connection for a URL that {@link ConnectionSettings#accepts} accepts: resolves the
   * settings once ({@link PgjdbcSettings}), hands pgjdbc a URL and properties built by Veil, and
   * has the connection prove that it runs over a socket Veil's TLS factory verified.
   *
   * @throws SQLException 08001 when a setting would weaken TLS, or Veil refused the server on the
   *     socket (its message says why: protocol, no TLS, certificate, host name, CA file)
   */
  Connection connect(String url, Properties info) throws SQLException {
    ConnectionSettings settings = ConnectionSettings.split(url, info);
    PgjdbcSettings pg = PgjdbcSettings.resolve(settings.delegateUrl,
        settings.delegateProperties);
    VeilRuntime runtime = runtime(VeilConfig.from(settings.veilProperties), pg.url(),
        pg.properties());

    Connection connection = connectVerified(pg);
    try {
      runtime.onConnect(connection);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    return new VeilConnection(connection, runtime);
  }

  private Connection connectVerified(PgjdbcSettings pg) throws SQLException {
    try (TlsReceipt receipt = TlsReceipt.open()) {
      Properties properties = pg.properties();
      receipt.stamp(properties);
      Connection connection;
      try {
        connection = pgjdbc.connect(pg.url(), properties);
      } catch (SQLException e) {
        TlsRefusedException refusal = TlsRefusedException.findIn(e);
        if (refusal == null) {
          throw e;
        }
        throw new SQLException("Veil refused the connection: " + receipt.summary(refusal),
            VeilSqlState.CONNECTION_REFUSED, e);
      }
      if (connection == null) {
        throw new SQLException("pgjdbc did not accept " + pg.url(),
            VeilSqlState.CONNECTION_REFUSED);
      }
      boolean proven;
      try {
        proven = receipt.provesVerifiedTls(connection);
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
      if (!proven) {
        connection.close();
        throw new SQLException("Veil refused the connection to " + pg.url() + ": pgjdbc"
            + " connected over a socket that Veil's TLS factory did not verify, and Veil uses no"
            + " connection it cannot prove is TLS 1.3 to a verified host. Fix: report it to"
            + " Veil's maintainers with the pgjdbc version.", VeilSqlState.CONNECTION_REFUSED);
      }
      return connection;
    }
  }

  /**
   * The runtime of {@code config}, built by the first connection that uses it. Its key store
   * opens connections of its own with that connection's pgjdbc settings.
   */
  private VeilRuntime runtime(VeilConfig config, String url, Properties properties)
      throws SQLException {
    VeilRuntime runtime = runtimes.get(config);
    if (runtime == null) {
      Properties keyStoreProperties = new Properties();
      keyStoreProperties.putAll(properties);
      runtime = new VeilRuntime(config, () -> pgjdbc.connect(url, keyStoreProperties));
      VeilRuntime raced = runtimes.putIfAbsent(config, runtime);
      if (raced != null) {
        runtime.close();
        runtime = raced;
      }
    }
    return runtime;
  }
}
