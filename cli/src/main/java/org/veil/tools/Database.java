package org.veil.tools;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.veil.config.VeilProperty;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.jdbc.ConnectionSettings;
import org.veil.keys.ConnectionSource;
import org.veil.tls.PgjdbcSettings;

/**
 * The tool's own pgjdbc connections: plain ones, never through the Veil wrapper, because the
 * jobs read and write cells as stored. Every connection is {@code sslmode=verify-full} over
 * TLS 1.3 ({@link PgjdbcSettings}), exactly as the driver's. Thread-safe.
 */
final class Database implements ConnectionSource {

  private static final String PG_PREFIX = "jdbc:postgresql:";

  private final String url;
  private final Properties properties;

  /**
   * @param url {@code jdbc:postgresql://…} or the application's {@code jdbc:veil:postgresql://…}
   * @param connectionProperties user, password, sslrootcert and other pgjdbc settings; no
   *     {@code veil.*} setting reaches pgjdbc
   * @throws SQLException when the Veil URL names a {@code veil.*} setting that does not exist
   * @throws VeilException 08001 when the URL is not one for PostgreSQL, or a setting would
   *     weaken TLS
   */
  Database(String url, Properties connectionProperties) throws SQLException, VeilException {
    Properties props = new Properties();
    String pgUrl;
    if (ConnectionSettings.accepts(url)) {
      ConnectionSettings split = ConnectionSettings.split(url, connectionProperties);
      pgUrl = split.pgjdbcUrl();
      props.putAll(split.pgjdbcProperties());
    } else if (url.startsWith(PG_PREFIX)) {
      pgUrl = url;
      for (String name : connectionProperties.stringPropertyNames()) {
        if (!VeilProperty.isVeilName(name)) {
          props.setProperty(name, connectionProperties.getProperty(name));
        }
      }
    } else {
      // Only the scheme: the rest of a URL may carry a password.
      int scheme = url.indexOf("//");
      throw new VeilException(VeilError.CONNECTION_REFUSED, "--url "
          + (scheme < 0 ? "" : url.substring(0, scheme) + "… ")
          + "is not a jdbc:postgresql:// or jdbc:veil:postgresql:// URL");
    }
    props.putIfAbsent("ApplicationName", "veil-tool");
    PgjdbcSettings resolved = PgjdbcSettings.resolve(pgUrl, props);
    this.url = resolved.url();
    this.properties = resolved.properties();
  }

  @Override
  public Connection open() throws SQLException {
    return DriverManager.getConnection(url, properties);
  }

  /** A connection for a job's batches: explicit transactions, no statement time limit. */
  Connection openForBatches() throws SQLException {
    Connection c = open();
    try (Statement s = c.createStatement()) {
      s.execute("SET statement_timeout = 0");
    }
    c.setAutoCommit(false);
    return c;
  }

  @Override
  public String toString() {
    return url;
  }
}
