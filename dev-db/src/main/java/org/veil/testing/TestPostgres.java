package org.veil.testing;

import java.util.Locale;

/**
 * Where the tests' PostgreSQL comes from.
 *
 * <p>{@code -Dveil.it.postgres=} chooses the engine:
 * <ul>
 *   <li>{@code auto} (default): Testcontainers when a Docker engine answers, else embedded;</li>
 *   <li>{@code embedded}: zonky's embedded PostgreSQL binaries, no Docker needed;</li>
 *   <li>{@code docker}: Testcontainers ({@code -Dveil.it.image=postgres:17});</li>
 *   <li>{@code external}: a server the run did not start, described by
 *       {@code veil.it.host}, {@code .port}, {@code .database}, {@code .user},
 *       {@code .password} and {@code .sslrootcert}.</li>
 * </ul>
 * Every engine serves TLS 1.3 only and rejects connections without TLS.
 */
public final class TestPostgres {

  private static PostgresServer shared;

  private TestPostgres() {}

  /** The server shared by every test in this JVM, started on first use, stopped at exit. */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      PostgresServer server = engine() == Engine.EXTERNAL
          ? ExternalPostgresServer.fromSystemProperties()
          : start(ServerOptions.defaults());
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "veil-test-postgres-stop"));
      shared = server;
    }
    return shared;
  }

  /** Whether this run can start servers of its own (false against an external server). */
  public static boolean canStartServers() {
    return engine() != Engine.EXTERNAL;
  }

  /** Whether this run can start a {@link ReplicaPair}: only on the embedded engine. */
  public static boolean canStartReplicaPairs() {
    return engine() == Engine.EMBEDDED;
  }

  /** Starts a primary with a streaming standby; the caller closes them. */
  public static ReplicaPair startReplicaPair() {
    if (!canStartReplicaPairs()) {
      throw new UnsupportedOperationException("a replica pair needs veil.it.postgres=embedded");
    }
    return ReplicaPair.start();
  }

  /** Starts a new server, separate from the shared one; the caller closes it. */
  public static PostgresServer start(ServerOptions options) {
    switch (engine()) {
      case DOCKER:
        return DockerPostgresServer.start(options);
      case EMBEDDED:
        return EmbeddedPostgresServer.start(options);
      default:
        throw new UnsupportedOperationException(
            "veil.it.postgres=external: this run cannot start servers of its own");
    }
  }

  private enum Engine { EMBEDDED, DOCKER, EXTERNAL }

  private static Engine engine() {
    String choice = System.getProperty("veil.it.postgres", "auto").toLowerCase(Locale.ROOT);
    switch (choice) {
      case "auto":
        return DockerPostgresServer.dockerAnswers() ? Engine.DOCKER : Engine.EMBEDDED;
      case "embedded":
        return Engine.EMBEDDED;
      case "docker":
        return Engine.DOCKER;
      case "external":
        return Engine.EXTERNAL;
      default:
        throw new IllegalArgumentException("veil.it.postgres=" + choice
            + " is not one of auto, embedded, docker, external");
    }
  }
}
