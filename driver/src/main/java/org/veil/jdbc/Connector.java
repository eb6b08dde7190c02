package org.veil.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.veil.config.VeilConfig;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.tls.TlsPolicy;

/**
 * Opens Veil connections: checks the TLS settings, hands pgjdbc its share of the settings, and
 * wraps what pgjdbc returns. Each {@link VeilDriver} and {@link VeilDataSource} owns one, with
 * the runtimes (one per configuration and database, see {@link Runtimes}) it has built.
 */
final class Connector {

  private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();
  private final Runtimes runtimes = new Runtimes(this::openDelegate);

  /**
   * Opens a connection for a URL that {@link ConnectionSettings#accepts} accepts.
   *
   * @throws SQLException for every failure, Veil's own errors included: this is where the
   *     {@link VeilException}s of the TLS policy, the configuration and the key provider become
   *     SQLExceptions
   */
  Connection connect(String url, Properties info) throws SQLException {
    try {
      return open(url, info);
    } catch (VeilException e) {
      throw SqlErrors.of(e);
    }
  }

  private Connection open(String url, Properties info) throws SQLException, VeilException {
    ConnectionSettings settings = ConnectionSettings.split(url, info);
    Properties effective = org.postgresql.Driver.parseURL(settings.delegateUrl,
        settings.delegateProperties);
    if (effective == null) {
      throw SqlErrors.of(VeilError.CONNECTION_REFUSED,
          "pgjdbc cannot parse the URL after " + ConnectionSettings.URL_PREFIX
          + "; it must read jdbc:veil:postgresql://host[:port]/database[?parameters]");
    }
    TlsPolicy.check(effective);
    Properties delegateProperties = settings.delegateProperties;
    TlsPolicy.apply(delegateProperties);
    VeilConfig config = VeilConfig.from(settings.veilProperties);
    VeilRuntime.checkSettings(config);

    Connection connection = openDelegate(settings.delegateUrl, delegateProperties);
    try {
      // After connecting: the runtime belongs to the database this connection reached.
      VeilRuntime runtime = runtimes.forConnection(config, connection, settings.delegateUrl,
          delegateProperties);
      runtime.onConnect(connection);
      return new VeilConnection(connection, runtime);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** A pgjdbc connection: the application's, and Veil's own for the key store. */
  private Connection openDelegate(String url, Properties properties) throws SQLException {
    Connection connection = pgjdbc.connect(url, properties);
    if (connection == null) {
      throw SqlErrors.of(VeilError.CONNECTION_REFUSED,
          "pgjdbc did not accept " + url.split("\\?")[0]);
    }
    return connection;
  }
}
