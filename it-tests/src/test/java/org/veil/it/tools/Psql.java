package org.veil.it.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.veil.testing.PostgresServer;

/**
 * PostgreSQL's own {@code psql}, run as a child process against a test server over TLS
 * ({@code sslmode=verify-full} with the run's CA): a writer that knows nothing of Veil. zonky's
 * bundle has no psql, so it is found as {@code -Dveil.it.psql=/path/to/psql}, on the
 * {@code PATH}, or in {@code /usr/lib/postgresql/<version>/bin} (the newest first).
 */
final class Psql {

  private final Path binary;

  private Psql(Path binary) {
    this.binary = binary;
  }

  /** What psql printed (standard output and error together) and its exit code. */
  record Result(int exit, String output) {}

  /** The psql binary this machine has, if any. */
  static Optional<Psql> find() {
    String configured = System.getProperty("veil.it.psql");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(new Psql(Path.of(configured)));
    }
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "psql"));
        }
      }
    }
    Path packaged = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(packaged)) {
      try (Stream<Path> versions = Files.list(packaged)) {
        versions.filter(v -> v.getFileName().toString().matches("\\d+"))
            .sorted(Comparator.comparingInt(
                (Path v) -> Integer.parseInt(v.getFileName().toString())).reversed())
            .forEach(v -> candidates.add(v.resolve("bin").resolve("psql")));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst().map(Psql::new);
  }

  /** Runs {@code sql} with {@code psql -c}, stopping at the first error, as the server's user. */
  Result run(PostgresServer server, String sql) throws IOException, InterruptedException {
    String conninfo = "host=" + server.host() + " port=" + server.port() + " dbname="
        + server.database() + " user=" + server.user() + " sslmode=verify-full sslrootcert="
        + server.caCertificate();
    ProcessBuilder pb = new ProcessBuilder(binary.toString(), "-X", "-q", "-v",
        "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql).redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", server.password());
    pb.environment().put("PGCONNECT_TIMEOUT", "30");
    Process p = pb.start();
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(binary + " did not finish");
    }
    return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return binary.toString();
  }
}
