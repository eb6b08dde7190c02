package org.veil.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * PostgreSQL from zonky's embedded binaries, started as a child process on a free port.
 *
 * <p>Works as root on Linux: zonky runs {@code initdb} and {@code postgres} under
 * {@code unshare -U}, where the process is not uid 0.
 */
final class EmbeddedPostgresServer extends FixtureServer {

  private final EmbeddedPostgres postgres;
  private final Path log;

  private EmbeddedPostgresServer(ServerFiles files, EmbeddedPostgres postgres, Path log) {
    super(files);
    this.postgres = postgres;
    this.log = log;
  }

  static EmbeddedPostgresServer start(ServerOptions options) {
    ServerFiles files = ServerFiles.create(options.tls());
    Path log = files.dir.resolve("postgres.log");
    try {
      EmbeddedPostgres postgres = builder(files, options, log).start();
      EmbeddedPostgresServer server = new EmbeddedPostgresServer(files, postgres, log);
      Properties admin = new Properties();
      admin.setProperty("user", "postgres");
      server.bootstrap("jdbc:postgresql://localhost:" + server.port() + "/postgres", admin);
      return server;
    } catch (IOException e) {
      files.delete();
      throw new UncheckedIOException("embedded PostgreSQL did not start; its log is " + log, e);
    }
  }

  /** A server on {@code files}' certificates and {@code pg_hba.conf}, as {@code options} say. */
  static EmbeddedPostgres.Builder builder(ServerFiles files, ServerOptions options, Path log) {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setPGStartupWait(Duration.ofSeconds(60))
        .setOutputRedirector(Redirect.appendTo(log.toFile()))
        .setErrorRedirector(Redirect.appendTo(log.toFile()))
        // 127.0.0.2 is loopback too but not in the certificate: the hostname-mismatch test uses it.
        .setServerConfig("listen_addresses", "127.0.0.1,127.0.0.2")
        .setServerConfig("ssl", options.tls() ? "on" : "off")
        .setServerConfig("ssl_cert_file", files.serverCertificate.certificate().toString())
        .setServerConfig("ssl_key_file", files.serverCertificate.pemKey().toString())
        .setServerConfig("ssl_ca_file", files.caCertificate.toString())
        .setServerConfig("ssl_min_protocol_version", options.sslMinProtocol())
        .setServerConfig("hba_file", files.hbaFile.toString())
        .setServerConfig("password_encryption", "scram-sha-256")
        // zonky's readiness probe connects as postgres; it must use TLS like everyone else
        // (a server without TLS cannot be probed with it).
        .setConnectConfig("sslmode", options.tls() ? "verify-full" : "disable")
        .setConnectConfig("sslrootcert", files.caCertificate.toString());
    if (!options.sslMaxProtocol().isEmpty()) {
      builder.setServerConfig("ssl_max_protocol_version", options.sslMaxProtocol());
    }
    options.settings().forEach(builder::setServerConfig);
    return builder;
  }

  @Override
  public String host() {
    return "localhost";
  }

  @Override
  public int port() {
    return postgres.getPort();
  }

  @Override
  public Optional<Path> serverLog() {
    return Optional.of(log);
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not stop cleanly", e);
    } finally {
      files.delete();
    }
  }

  @Override
  public String toString() {
    return "embedded PostgreSQL on localhost:" + port();
  }
}
