package org.veil.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.veil.config.VeilConfig;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.config.VeilProperty;
import org.veil.metrics.VeilMetrics;
import org.veil.tls.PgjdbcSettings;
import org.veil.tls.TlsReceipt;
import org.veil.tls.TlsRefusedException;

/**
 * Opens Veil connections: resolves and checks the settings, hands pgjdbc its share of them,
 * checks that the connection pgjdbc returns runs over Veil's verified TLS, and wraps it. Each
 * {@link VeilDriver} and {@link VeilDataSource} owns one, with the runtimes of the
 * configurations and databases it has seen.
 */
final class Connector {

  private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();
  private final VeilMetrics metrics;
  private final Runtimes runtimes;

  /**
   * @param meterRegistry the application's Micrometer {@code MeterRegistry}, or null for
   *     Micrometer's global registry when Micrometer is on the class path
   * @throws IllegalArgumentException when {@code meterRegistry} is not a MeterRegistry
   */
  Connector(Object meterRegistry) {
    this.metrics = new VeilMetrics(meterRegistry);
    this.runtimes = new Runtimes(this::openDelegate, metrics);
  }

  /** What the connections this connector opened did, counted. */
  VeilMetrics metrics() {
    return metrics;
  }

  /**
   * Opens a connection for a URL that {@link ConnectionSettings#accepts} accepts: resolves the
   * settings once ({@link PgjdbcSettings}), hands pgjdbc a URL and properties built by Veil, and
   * has the connection prove that it runs over a socket Veil's TLS factory verified.
   *
   * @throws SQLException for every failure, Veil's own errors included (this is where the
   *     {@link VeilException}s of the TLS policy, the configuration and the key provider become
   *     SQLExceptions); 08001 when a setting would weaken TLS, or Veil refused the server on the
   *     socket (its message says why: protocol, no TLS, certificate, host name, CA file)
   */
  Connection connect(String url, Properties info) throws SQLException {
    try {
      return open(url, info);
    } catch (VeilException e) {
      metrics.refused(e.error());
      throw SqlErrors.of(e);
    }
  }

  private Connection open(String url, Properties info) throws SQLException, VeilException {
    ConnectionSettings settings = ConnectionSettings.split(url, info);
    PgjdbcSettings pg = PgjdbcSettings.resolve(settings.delegateUrl,
        settings.delegateProperties);
    VeilConfig config = VeilConfig.from(settings.veilProperties);
    VeilRuntime.checkSettings(config);
    Properties veil = config.toProperties();
    metrics.publish(VeilProperty.METRICS_NAME.get(veil),
        VeilProperty.METRICS_JMX.getChoice(veil).equals("true"));

    Connection connection = openDelegate(pg.url(), pg.properties());
    try {
      // After connecting: the runtime belongs to the database this connection reached.
      VeilRuntime runtime = runtimes.forConnection(config, connection, pg.url(),
          pg.properties());
      runtime.onConnect(connection);
      return new VeilConnection(connection, runtime);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * A pgjdbc connection, the application's or Veil's own for the key store, proven to run over a
   * socket that Veil's TLS factory verified during this very connect.
   *
   * @param url a pgjdbc URL without parameters, as {@link PgjdbcSettings#url()} gives it
   * @param given the connection's pgjdbc properties, with Veil's TLS settings; not changed
   */
  private Connection openDelegate(String url, Properties given) throws SQLException {
    try (TlsReceipt receipt = TlsReceipt.open()) {
      Properties properties = new Properties();
      properties.putAll(given);
      receipt.stamp(properties);
      Connection connection;
      try {
        connection = pgjdbc.connect(url, properties);
      } catch (SQLException e) {
        TlsRefusedException refusal = TlsRefusedException.findIn(e);
        if (refusal == null) {
          throw e;
        }
        metrics.refused(VeilError.CONNECTION_REFUSED);
        throw SqlErrors.of(VeilError.CONNECTION_REFUSED,
            "Veil refused the connection: " + receipt.summary(refusal), e);
      }
      if (connection == null) {
        throw SqlErrors.of(VeilError.CONNECTION_REFUSED, "pgjdbc did not accept " + url);
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
        metrics.refused(VeilError.CONNECTION_REFUSED);
        throw SqlErrors.of(VeilError.CONNECTION_REFUSED, "Veil refused the connection to " + url
            + ": pgjdbc connected over a socket that Veil's TLS factory did not verify, and Veil"
            + " uses no connection it cannot prove is TLS 1.3 to a verified host. Fix: report it"
            + " to Veil's maintainers with the pgjdbc version.");
      }
      return connection;
    }
  }
}
