package org.veil.jdbc;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.veil.error.VeilError;
import org.veil.keys.ConnectionSource;
import org.veil.keys.KeyStoreConnections;

/**
 * The servers that Veil's own connections for one runtime go to, made from the application's
 * pgjdbc URL and properties and the server its connection reached: reads to exactly that server
 * ({@code targetServerType=any}), so that a standby serves the keys that replicated with its
 * data; writes (a new key) to a primary among the URL's hosts ({@code targetServerType=primary}),
 * failing with SQLSTATE 25006 ({@link VeilError#PRIMARY_NEEDED}) that names the hosts tried
 * when none answers as one.
 *
 * <p>Both carry every pgjdbc setting of the application's connection (TLS included) and open
 * through the same {@link Opener}. Immutable and thread-safe.
 */
final class KeyStoreServers {

  /** Opens a pgjdbc connection as the application's connections are opened. */
  @FunctionalInterface
  interface Opener {
    Connection open(String url, Properties properties) throws SQLException;
  }

  private static final String HOST = "PGHOST";
  private static final String PORT = "PGPORT";
  private static final String DBNAME = "PGDBNAME";
  private static final String TARGET = "targetServerType";

  private KeyStoreServers() {}

  /**
   * @param url the pgjdbc URL the application connected with (possibly several hosts)
   * @param properties its pgjdbc properties; copied
   * @param identity the server and database the application's connection reached
   */
  static KeyStoreConnections of(Opener opener, String url, Properties properties,
      DatabaseIdentity identity) throws SQLException {
    Properties parsed = org.postgresql.Driver.parseURL(url, properties);
    if (parsed == null) {
      throw SqlErrors.of(VeilError.CONNECTION_REFUSED,
          "pgjdbc cannot parse " + url.split("\\?")[0]);
    }
    Properties common = new Properties();
    for (String name : parsed.stringPropertyNames()) {
      if (!name.equals(HOST) && !name.equals(PORT) && !name.equals(DBNAME)) {
        common.setProperty(name, parsed.getProperty(name));
      }
    }
    String path = "/" + URLEncoder.encode(identity.database(), StandardCharsets.UTF_8);

    String readUrl = "jdbc:postgresql://" + hostPort(identity.host(), identity.port()) + path;
    Properties reading = new Properties();
    reading.putAll(common);
    reading.setProperty(TARGET, "any");

    List<String> hosts = hosts(parsed);
    String writeUrl = "jdbc:postgresql://" + String.join(",", hosts) + path;
    Properties writing = new Properties();
    writing.putAll(common);
    writing.setProperty(TARGET, "primary");

    ConnectionSource reads = () -> opener.open(readUrl, reading);
    ConnectionSource writes = () -> {
      try {
        return opener.open(writeUrl, writing);
      } catch (SQLException e) {
        String state = e.getSQLState();
        if (state == null || !state.startsWith("08")) {
          throw e;
        }
        throw SqlErrors.of(VeilError.PRIMARY_NEEDED,
            "no primary answered among " + String.join(", ", hosts)
            + " (the URL's hosts, tried with targetServerType=primary): a primary is needed to"
            + " create keyring and branch keys, which are written to veil_keys there. List the"
            + " primary among the URL's hosts, or create the keys while it is up; existing keys"
            + " are read from whichever server the connection is on. pgjdbc: " + e.getMessage(), e);
      }
    };
    return new KeyStoreConnections(reads, writes, identity.describe());
  }

  /** The URL's hosts as {@code host:port}, in the URL's order. */
  private static List<String> hosts(Properties parsed) {
    String[] hosts = parsed.getProperty(HOST, "localhost").split(",");
    String[] ports = parsed.getProperty(PORT, "5432").split(",");
    List<String> all = new ArrayList<>(hosts.length);
    for (int i = 0; i < hosts.length; i++) {
      String port = i < ports.length ? ports[i] : ports[ports.length - 1];
      all.add(hostPort(hosts[i], Integer.parseInt(port.trim())));
    }
    return all;
  }

  private static String hostPort(String host, int port) {
    boolean bareIpv6 = host.indexOf(':') >= 0 && !host.startsWith("[");
    return (bareIpv6 ? "[" + host + "]" : host) + ":" + port;
  }
}
