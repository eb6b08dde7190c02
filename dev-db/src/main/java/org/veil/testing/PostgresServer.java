package org.veil.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * A running PostgreSQL server that accepts only TLS connections, with a certificate chain that
 * the test run controls (unless started with {@link ServerOptions#withoutTls()}, when it offers
 * no TLS at all and {@link #plainConnection()} must be replaced by one with
 * {@code sslmode=disable}).
 *
 * <p>The server has two roles: an application role (password authentication over TLS, owner
 * of {@link #database()}) that tests connect as, and a role authenticated only by a client
 * certificate ({@link #certificateUser()}) for mutual-TLS tests. Thread-safe.
 */
public interface PostgresServer extends AutoCloseable {

  String host();

  int port();

  /** The application database, owned by {@link #user()}. */
  String database();

  String user();

  String password();

  /** PEM file of the CA that signed the server certificate. */
  Path caCertificate();

  /** A role that logs in only with {@link #clientCertificate()}; its CN is the role name. */
  String certificateUser();

  TestCertificates.IssuedCertificate clientCertificate();

  /** The server's own log (stderr), when the engine writes one to a local file. */
  Optional<Path> serverLog();

  /** {@code jdbc:postgresql://host:port/database}, with no parameters. */
  default String plainUrl() {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database();
  }

  /** {@code jdbc:veil:postgresql://host:port/database}, with no parameters. */
  default String veilUrl() {
    return "jdbc:veil:postgresql://" + host() + ":" + port() + "/" + database();
  }

  /** User, password and {@code sslrootcert}: what an application configures for this server. */
  default Properties connectionProperties() {
    Properties props = new Properties();
    props.setProperty("user", user());
    props.setProperty("password", password());
    props.setProperty("sslrootcert", caCertificate().toString());
    return props;
  }

  /** A plain pgjdbc connection (verify-full) as the application role: what the DBA sees. */
  default Connection plainConnection() throws SQLException {
    Properties props = connectionProperties();
    props.setProperty("sslmode", "verify-full");
    return DriverManager.getConnection(plainUrl(), props);
  }

  /** A Veil connection with the given extra properties, as the application role. */
  default Connection veilConnection(Properties extra) throws SQLException {
    Properties props = connectionProperties();
    props.putAll(extra);
    return DriverManager.getConnection(veilUrl(), props);
  }

  /**
   * Creates (or empties, by dropping and creating it again) database {@code name}, owned by
   * {@link #user()}: for tests that use several databases of one server.
   *
   * @throws UnsupportedOperationException for a server the run did not start
   */
  default void createDatabase(String name) {
    throw new UnsupportedOperationException(this + " does not create databases for tests");
  }

  /** {@code jdbc:veil:postgresql://host:port/database} for another database of this server. */
  default String veilUrl(String database) {
    return "jdbc:veil:postgresql://" + host() + ":" + port() + "/" + database;
  }

  /** A plain pgjdbc connection (verify-full) to another database, as the application role. */
  default Connection plainConnection(String database) throws SQLException {
    Properties props = connectionProperties();
    props.setProperty("sslmode", "verify-full");
    return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/"
        + database, props);
  }

  /** Stops the server and removes its files. A no-op for servers the run did not start. */
  @Override
  void close();
}
