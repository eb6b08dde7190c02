package org.veil.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.veil.config.VeilConfig;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.tls.TlsPolicy;

/**
 * Opens Veil connections: checks the TLS settings, hands pgjdbc its share of the settings, and
 * wraps what pgjdbc returns. Each {@link VeilDriver} and {@link VeilDataSource} owns one, with
 * the runtimes of the configurations it has seen.
 */
final class Connector {

  private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();
  private final ConcurrentMap<VeilConfig, VeilRuntime> runtimes = new ConcurrentHashMap<>();

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
    VeilRuntime runtime = runtime(VeilConfig.from(settings.veilProperties),
        settings.delegateUrl, delegateProperties);

    Connection connection = pgjdbc.connect(settings.delegateUrl, delegateProperties);
    if (connection == null) {
      throw SqlErrors.of(VeilError.CONNECTION_REFUSED,
          "pgjdbc did not accept " + settings.delegateUrl.split("\\?")[0]);
    }
    try {
      runtime.onConnect(connection);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    return new VeilConnection(connection, runtime);
  }

  /**
   * The runtime of {@code config}, built by the first connection that uses it. Its key store
   * opens connections of its own with that connection's pgjdbc settings.
   */
  private VeilRuntime runtime(VeilConfig config, String url, Properties properties)
      throws VeilException {
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
