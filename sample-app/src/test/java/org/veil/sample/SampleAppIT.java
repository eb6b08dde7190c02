package org.veil.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.veil.testing.PostgresServer;
import org.veil.testing.ServerOptions;
import org.veil.testing.TestPostgres;

/** Runs the sample application as its users do, and reads what it prints. */
class SampleAppIT {

  @TempDir
  Path dir;

  private static String run(Properties configuration) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      new SampleApp(SampleSettings.load(configuration), out).run();
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void onDefaultsItStartsItsOwnServerCreatesADevelopmentKeyAndShowsBothViews() throws Exception {
    Path keyFile = dir.resolve("dev").resolve("master.key");
    Properties configuration = new Properties();
    configuration.setProperty("sample.devKey", keyFile.toString());

    String output = run(configuration);

    assertThat(output)
        .contains("a patient registry on embedded PostgreSQL (TLS 1.3 only)")
        .contains("WARNING: created a DEVELOPMENT master key at " + keyFile)
        .contains("Registered 3 patient(s); 0 were already there.")
        .contains("Lookup WHERE national_id = '943 476 5921' found Grace Hopper,"
            + " born 1906-12-09, diagnosis: hypertension")
        .contains("On ward Neurology: Ada Lovelace, Grace Hopper");
    assertThat(Files.getPosixFilePermissions(keyFile))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    // Side by side: the application's value on the left, the stored cell on the right.
    assertThat(output.lines().filter(l -> l.startsWith("  national_id")))
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).matches("  national_id +943 476 59\\d\\d +veil:\\S+"
            + " \\(text, \\d+ chars\\)"));
    assertThat(output.lines().filter(l -> l.startsWith("  birth_date")))
        .anySatisfy(l -> assertThat(l).matches("  birth_date +1815-12-10 +\\\\x564c\\S+"
            + " \\(bytea, \\d+ bytes\\)"));
    assertThat(output.lines().filter(l -> l.startsWith("  diagnosis")))
        .anySatisfy(l -> assertThat(l).matches("  diagnosis +hypertension, controlled"
            + " +\\\\x564c\\S+ \\(bytea, \\d+ bytes\\)"));
    assertThat(output.lines().filter(l -> l.startsWith("  ward")))
        .anySatisfy(l -> assertThat(l).matches("  ward +Orthopaedics +Orthopaedics"));
  }

  @Test
  void pointedAtAnExistingDatabaseByConfigurationItKeepsItsDataAcrossRuns() throws Exception {
    Path keyFile = dir.resolve("master.key");
    try (PostgresServer server = TestPostgres.start(ServerOptions.defaults())) {
      Properties configuration = new Properties();
      configuration.setProperty("sample.db.url",
          server.veilUrl() + "?sslrootcert=" + server.caCertificate());
      configuration.setProperty("sample.db.user", server.user());
      configuration.setProperty("sample.db.password", server.password());
      configuration.setProperty("sample.devKey", keyFile.toString());

      String first = run(configuration);
      String second = run(configuration);

      assertThat(first).contains("a patient registry on " + server.veilUrl())
          .contains("Registered 3 patient(s)");
      assertThat(second).doesNotContain("WARNING")
          .contains("Flyway applied 0 migration(s)")
          .contains("Registered 0 patient(s); 3 were already there.")
          .contains("found Grace Hopper, born 1906-12-09, diagnosis: hypertension, controlled");
    }
  }
}
