package org.veil.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.veil.config.VeilConfig;
import org.veil.tls.TlsPolicy;

/**
 * Opens Veil connections: checks the TLS settings, hands pgjdbc its share of the settings, and
 * wraps what pgjdbc returns. Each {@link VeilDriver} and {@link VeilDataSource} owns one, with
 * the runtimes of the configurations it has seen.
 */
final class Connector {

  private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();
  private final ConcurrentMap<VeilConfig, VeilRuntime> runtimes = new ConcurrentHashMap<>();

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
    VeilConfig config = VeilConfig.from(settings.veilProperties);
    VeilRuntime runtime = runtimes.computeIfAbsent(config, VeilRuntime::new);

    Properties delegateProperties = settings.delegateProperties;
    TlsPolicy.apply(delegateProperties);
    Connection connection = pgjdbc.connect(settings.delegateUrl, delegateProperties);
    if (connection == null) {
      throw new SQLException("pgjdbc did not accept " + settings.delegateUrl.split("\\?")[0],
          VeilSqlState.CONNECTION_REFUSED);
    }
    return new VeilConnection(connection, runtime);
  }
}
