package org.veil.tools;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.veil.config.VeilConfig;
import org.veil.config.VeilProperty;
import org.veil.jdbc.ConnectionSettings;
import org.veil.keys.KeyHierarchy;
import org.veil.keys.KeyStoreConnections;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import picocli.CommandLine.Option;

/**
 * Where the database is and how Veil is configured: the same JDBC URL, credentials and
 * {@code veil.*} settings as the application's (a {@code --config} file, {@code -D} options,
 * or the environment, as {@link VeilConfig} merges them).
 */
final class ConnectionOptions {

  @Option(names = "--url", paramLabel = "JDBC_URL", defaultValue = "${env:VEIL_URL}",
      description = "jdbc:postgresql://host:port/db or the application's jdbc:veil:postgresql://"
          + " URL (or VEIL_URL), whose veil.* parameters the tool reads as the driver does (-D"
          + " and --config win over them). The tool connects with plain pgjdbc, verify-full"
          + " over TLS 1.3.")
  String url;

  @Option(names = "--user", paramLabel = "ROLE", defaultValue = "${env:PGUSER}",
      description = "Database role (or PGUSER).")
  String user;

  @Option(names = "--password", arity = "0..1", interactive = true, paramLabel = "PASSWORD",
      description = "Database password; give --password alone to be prompted. Default: the"
          + " PGPASSWORD environment variable.")
  char[] password;

  @Option(names = "--sslrootcert", paramLabel = "FILE",
      description = "PEM file of the CA that signed the server's certificate.")
  String sslRootCert;

  @Option(names = "--config", paramLabel = "FILE",
      description = "A properties file of veil.* settings (as veil.config).")
  String config;

  @Option(names = "-D", paramLabel = "NAME=VALUE", mapFallbackValue = "",
      description = "A veil.* setting (e.g. -Dveil.kms.keystore=/etc/veil/master.key), or a"
          + " pgjdbc connection property.")
  Map<String, String> settings = new LinkedHashMap<>();

  /** The tool's database access; checks the TLS settings. */
  Database database() throws SQLException, VeilException {
    if (url == null || url.isBlank()) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION, "give --url (or set VEIL_URL)");
    }
    Properties props = new Properties();
    settings.forEach((k, v) -> {
      if (!VeilProperty.isVeilName(k)) {
        props.setProperty(k, v);
      }
    });
    if (user != null) {
      props.setProperty("user", user);
    }
    String pw = password != null ? new String(password) : System.getenv("PGPASSWORD");
    if (pw != null) {
      props.setProperty("password", pw);
    }
    if (sslRootCert != null) {
      props.setProperty("sslrootcert", sslRootCert);
    }
    return new Database(url, props);
  }

  /** The Veil settings, merged as the driver merges them. */
  VeilConfig veilConfig() throws VeilException {
    Properties props = new Properties();
    if (url != null && ConnectionSettings.accepts(url)) {
      try {
        // The application's URL may carry veil.* settings; -D and --config given here win.
        props.putAll(ConnectionSettings.split(url, new Properties()).veilProperties());
      } catch (SQLException e) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION, e.getMessage(), e);
      }
    }
    settings.forEach((k, v) -> {
      if (VeilProperty.isVeilName(k)) {
        props.setProperty(k, v);
      }
    });
    if (config != null) {
      props.setProperty(VeilProperty.CONFIG.getName(), config);
    }
    return VeilConfig.from(props);
  }

  /** The key hierarchy over the configured key provider and key store; the caller closes it. */
  KeyHierarchy keys(VeilConfig veil, Database db) throws VeilException {
    return keys(veil, db, false);
  }

  /**
   * As {@link #keys(VeilConfig, Database)}; with {@code dryRun}, one that never writes the key
   * store ({@link KeyHierarchy#openForDryRun}).
   */
  KeyHierarchy keys(VeilConfig veil, Database db, boolean dryRun) throws VeilException {
    KeyStoreConnections store = KeyStoreConnections.of(db);
    return dryRun ? KeyHierarchy.openForDryRun(veil.toProperties(), store)
        : KeyHierarchy.open(veil.toProperties(), store);
  }
}
