package org.veil.testing;

import java.nio.file.Path;
import java.util.Optional;

/** A server the run did not start, described by {@code veil.it.*} system properties. */
final class ExternalPostgresServer implements PostgresServer {

  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private final String password;
  private final Path caCertificate;

  private ExternalPostgresServer(String host, int port, String database, String user,
      String password, Path caCertificate) {
    this.host = host;
    this.port = port;
    this.database = database;
    this.user = user;
    this.password = password;
    this.caCertificate = caCertificate;
  }

  static ExternalPostgresServer fromSystemProperties() {
    return new ExternalPostgresServer(
        required("veil.it.host"),
        Integer.parseInt(System.getProperty("veil.it.port", "5432")),
        required("veil.it.database"),
        required("veil.it.user"),
        System.getProperty("veil.it.password", ""),
        Path.of(required("veil.it.sslrootcert")));
  }

  private static String required(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("veil.it.postgres=external needs -D" + name);
    }
    return value;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String database() {
    return database;
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public String password() {
    return password;
  }

  @Override
  public Path caCertificate() {
    return caCertificate;
  }

  @Override
  public String certificateUser() {
    throw new UnsupportedOperationException("an external server has no certificate role");
  }

  @Override
  public TestCertificates.IssuedCertificate clientCertificate() {
    throw new UnsupportedOperationException("an external server has no client certificate");
  }

  @Override
  public Optional<Path> serverLog() {
    return Optional.empty();
  }

  @Override
  public void close() {
    // Not ours to stop.
  }

  @Override
  public String toString() {
    return "external PostgreSQL at " + host + ":" + port;
  }
}
