package org.veil.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * PostgreSQL in a container (Testcontainers), configured like the embedded server: TLS 1.3,
 * the run's own CA, and an {@code hba_file} that rejects connections without TLS (or, with
 * {@link ServerOptions#withoutTls()}, {@code ssl=off} and password logins without it).
 */
final class DockerPostgresServer extends FixtureServer {

  private static final String IMAGE = System.getProperty("veil.it.image", "postgres:17");

  private final PostgreSQLContainer<?> container;

  private DockerPostgresServer(ServerFiles files, PostgreSQLContainer<?> container) {
    super(files);
    this.container = container;
  }

  static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  static DockerPostgresServer start(ServerOptions options) {
    ServerFiles files = ServerFiles.create(options.tls());
    List<String> settings = new ArrayList<>(List.of(
        "ssl=" + (options.tls() ? "on" : "off"),
        "ssl_cert_file=/veil/server.crt",
        "ssl_key_file=/veil/server.key",
        "ssl_ca_file=/veil/ca.crt",
        "ssl_min_protocol_version=" + options.sslMinProtocol(),
        "hba_file=/veil/pg_hba.conf"));
    if (!options.sslMaxProtocol().isEmpty()) {
      settings.add("ssl_max_protocol_version=" + options.sslMaxProtocol());
    }
    options.settings().forEach((k, v) -> settings.add(k + "=" + v));
    StringBuilder postgresArgs = new StringBuilder("postgres");
    for (String setting : settings) {
      postgresArgs.append(" -c ").append(setting);
    }
    // The key must belong to the postgres user inside the image, so the files are copied to a
    // staging directory and moved into place by the entrypoint before the server starts.
    String entry = "mkdir -p /veil && cp /veil-staging/* /veil/"
        + " && chown -R postgres /veil && chmod 600 /veil/server.key"
        + " && exec docker-entrypoint.sh " + postgresArgs;
    PostgreSQLContainer<?> container =
        new PostgreSQLContainer<>(DockerImageName.parse(IMAGE).asCompatibleSubstituteFor("postgres"))
            .withUrlParam("sslmode", options.tls() ? "verify-full" : "disable")
            .withUrlParam("sslrootcert", files.caCertificate.toString())
            .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("sh", "-c", entry))
            .withCopyFileToContainer(
                MountableFile.forHostPath(files.caCertificate), "/veil-staging/ca.crt")
            .withCopyFileToContainer(MountableFile.forHostPath(
                files.serverCertificate.certificate()), "/veil-staging/server.crt")
            .withCopyFileToContainer(MountableFile.forHostPath(
                files.serverCertificate.pemKey(), 0600), "/veil-staging/server.key")
            .withCopyFileToContainer(
                MountableFile.forHostPath(files.hbaFile), "/veil-staging/pg_hba.conf");
    container.start();
    DockerPostgresServer server = new DockerPostgresServer(files, container);
    Properties admin = new Properties();
    admin.setProperty("user", container.getUsername());
    admin.setProperty("password", container.getPassword());
    server.bootstrap("jdbc:postgresql://" + server.host() + ":" + server.port() + "/"
        + container.getDatabaseName(), admin);
    return server;
  }

  @Override
  public String host() {
    return container.getHost();
  }

  @Override
  public int port() {
    return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
  }

  /** The container's output so far, copied to a local file. */
  @Override
  public Optional<Path> serverLog() {
    try {
      Path log = files.dir.resolve("postgres.log");
      Files.writeString(log, container.getLogs());
      return Optional.of(log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the container's log", e);
    }
  }

  @Override
  public void close() {
    try {
      container.stop();
    } finally {
      files.delete();
    }
  }

  @Override
  public String toString() {
    return "PostgreSQL in Docker (" + IMAGE + ") on " + host() + ":" + port();
  }
}
