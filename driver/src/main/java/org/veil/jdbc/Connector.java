package org.veil.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.veil.config.VeilConfig;
import org.veil.tls.TlsPolicy;

/**
 * Opens Veil connections: checks the TLS settings, hands pgjdbc its share of the settings, and
 * wraps what pgjdbc returns. Each {@link VeilDriver} and {@link VeilDataSource} owns one, with
 * the runtimes (one per configuration and database, see {@link Runtimes}) it has built.
 */
final class Connector {

  private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();
  private final Runtimes runtimes = new Runtimes(this::openDelegate);

  /** Opens a connection for a URL that {@link ConnectionSettings#accepts} accepts. */
  Connection connect(String url, Properties info) throws SQLException {
    ConnectionSettings settings = ConnectionSettings.split(url, info);
    Properties effective = org.postgresql.Driver.parseURL(settings.delegateUrl,
        settings.delegateProperties);
    if (effective == null) {
      throw new SQLException("pgjdbc cannot parse the URL after " + ConnectionSettings.URL_PREFIX
          + "; it must read jdbc:veil:postgresql://host[:port]/database[?parameters]",
          VeilSqlState.CONNECTION_REFUSED);
    }
    TlsPolicy.check(effective);
    Properties delegateProperties = settings.delegateProperties;
    TlsPolicy.apply(delegateProperties);
    VeilConfig config = VeilConfig.from(settings.veilProperties);

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
      throw new SQLException("pgjdbc did not accept " + url.split("\\?")[0],
          VeilSqlState.CONNECTION_REFUSED);
    }
    return connection;
  }
}
