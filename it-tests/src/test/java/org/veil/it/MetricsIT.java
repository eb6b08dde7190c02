package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.error.VeilError;
import org.veil.jdbc.VeilDataSource;
import org.veil.kms.FakeKmsServer;
import org.veil.metrics.VeilDiagnostics;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Veil's meters through the real driver, a real PostgreSQL and the AWS key provider against a
 * loopback KMS: a {@link VeilDataSource} handed a {@link SimpleMeterRegistry} counts the cells it
 * sealed and opened, its key cache traffic, its KMS calls (as the KMS saw them) and its
 * refusals; no meter names a plaintext, a key id or a column.
 */
class MetricsIT {

  private static final int ROWS = 5;
  private static final List<String> PLAINTEXTS = List.of("123-45-6789", "987-65-4321",
      "555-12-3456", "111-22-3333", "444-55-6666");

  private static FakeKmsServer kms;
  private static PostgresServer server;

  @BeforeAll
  static void setUp() throws Exception {
    System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
    System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    kms = new FakeKmsServer();
    server = TestPostgres.shared();
    EncryptedTables.execPlain(server, "DROP TABLE IF EXISTS metrics_it",
        "CREATE TABLE metrics_it (id int PRIMARY KEY, ssn bytea, email bytea)");
    PLAINTEXTS.forEach(NoSecretsInLogs::register);
  }

  @AfterAll
  static void tearDown() {
    if (kms != null) {
      kms.close();
    }
  }

  private static VeilDataSource dataSource(String keyring) {
    VeilDataSource ds = new VeilDataSource();
    ds.setServerNames(new String[] {server.host()});
    ds.setPortNumbers(new int[] {server.port()});
    ds.setDatabaseName(server.database());
    ds.setSslRootCert(server.caCertificate().toString());
    ds.setUser(server.user());
    ds.setPassword(server.password());
    ds.setColumns("metrics_it.ssn, metrics_it.email:deterministic");
    ds.setKms("aws");
    ds.setKmsKeyId(FakeKmsServer.ALIAS);
    ds.setKmsRegion("us-east-1");
    ds.setKmsEndpoint(kms.endpoint());
    ds.setKeysKeyring(keyring);
    return ds;
  }

  private static double counter(MeterRegistry r, String name, String tag, String value) {
    return r.get(name).tag(tag, value).functionCounter().count();
  }

  private static double kmsCalls(MeterRegistry r, String operation) {
    return r.get("veil.kms.calls").tag("operation", operation).functionTimer().count();
  }

  private static void writeRows(Connection c, int firstId) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(
        "INSERT INTO metrics_it (id, ssn, email) VALUES (?, ?, ?)")) {
      for (int i = 0; i < ROWS; i++) {
        insert.setInt(1, firstId + i);
        insert.setString(2, PLAINTEXTS.get(i));
        insert.setString(3, PLAINTEXTS.get(i) + "@example.com");
        insert.executeUpdate();
      }
    }
  }

  private static List<String> readRows(Connection c, int firstId) throws SQLException {
    List<String> read = new ArrayList<>();
    try (PreparedStatement select = c.prepareStatement(
        "SELECT ssn, email FROM metrics_it WHERE id >= ? AND id < ? ORDER BY id")) {
      select.setInt(1, firstId);
      select.setInt(2, firstId + ROWS);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          read.add(rs.getString(1));
          read.add(rs.getString(2));
        }
      }
    }
    return read;
  }

  @Test
  void aDataSourceWithARegistryCountsCellsKeysKmsCallsAndRefusals() throws Exception {
    SimpleMeterRegistry writerMeters = new SimpleMeterRegistry();
    VeilDataSource writer = dataSource("metrics-it-writer");
    writer.setMeterRegistry(writerMeters);
    writer.setMetricsName("writer");
    int generatedBefore = kms.count("GenerateDataKey");
    try (Connection c = writer.getConnection()) {
      writeRows(c, 100);
      assertThat(readRows(c, 100)).hasSize(2 * ROWS);
      assertThatThrownBy(() -> {
        try (Statement s = c.createStatement()) {
          s.executeUpdate("INSERT INTO metrics_it (id, ssn) VALUES (199, 'plain')");
        }
      }).isInstanceOf(SQLException.class).hasFieldOrPropertyWithValue("SQLState",
          VeilError.PLAINTEXT_REFUSED.sqlState());
      assertThatThrownBy(() -> c.prepareStatement("SELECT id FROM metrics_it WHERE ssn LIKE ?"))
          .isInstanceOf(SQLException.class).hasFieldOrPropertyWithValue("SQLState",
              VeilError.OPERATION_REFUSED.sqlState());
      VeilDiagnostics fromConnection = c.unwrap(VeilDiagnostics.class);
      assertThat(fromConnection).isSameAs(writer.unwrap(VeilDiagnostics.class));
    }
    assertThat(counter(writerMeters, "veil.cells.sealed", "kind", "randomized")).isEqualTo(ROWS);
    assertThat(counter(writerMeters, "veil.cells.sealed", "kind", "deterministic"))
        .isEqualTo(ROWS);
    assertThat(counter(writerMeters, "veil.cells.opened", "kind", "randomized")).isEqualTo(ROWS);
    assertThat(counter(writerMeters, "veil.cells.opened", "kind", "deterministic"))
        .isEqualTo(ROWS);
    // The branch and the deterministic key, made once each.
    assertThat(kms.count("GenerateDataKey") - generatedBefore).isEqualTo(2);
    assertThat(kmsCalls(writerMeters, "generateDataKey")).isEqualTo(2);
    assertThat(counter(writerMeters, "veil.refusals", "reason", "plaintext_refused"))
        .isEqualTo(1);
    assertThat(counter(writerMeters, "veil.refusals", "reason", "operation_refused"))
        .isEqualTo(1);
    assertThat(writer.unwrap(VeilDiagnostics.class).refusals(VeilError.PLAINTEXT_REFUSED))
        .isEqualTo(1);
    assertThat(writerMeters.get("veil.cells.sealed").meters())
        .allSatisfy(m -> assertThat(m.getId().getTag("name")).isEqualTo("writer"));

    // A second data source reads the rows on a cold key cache: each key unwrapped once.
    SimpleMeterRegistry readerMeters = new SimpleMeterRegistry();
    VeilDataSource reader = dataSource("metrics-it-writer");
    reader.setMeterRegistry(readerMeters);
    int decryptsBefore = kms.count("Decrypt");
    try (Connection c = reader.getConnection()) {
      assertThat(readRows(c, 100)).hasSize(2 * ROWS);
    }
    assertThat(kms.count("Decrypt") - decryptsBefore).isEqualTo(2);
    assertThat(kmsCalls(readerMeters, "unwrap")).isEqualTo(2);
    assertThat(counter(readerMeters, "veil.kms.errors", "operation", "unwrap")).isZero();
    assertThat(counter(readerMeters, "veil.keys.cache.gets", "result", "miss")).isEqualTo(2);
    assertThat(readerMeters.get("veil.keys.cache.loads").functionCounter().count())
        .isEqualTo(2);
    VeilDiagnostics read = reader.unwrap(VeilDiagnostics.class);
    assertThat(read.keyCacheHits()).isPositive();
    assertThat(counter(readerMeters, "veil.keys.cache.gets", "result", "hit"))
        .isEqualTo(read.keyCacheHits());
    assertThat(counter(readerMeters, "veil.cells.opened", "kind", "randomized")).isEqualTo(ROWS);
    assertThat(counter(readerMeters, "veil.cells.sealed", "kind", "randomized")).isZero();

    assertNoSecretInMeters(writerMeters);
    assertNoSecretInMeters(readerMeters);
  }

  @Test
  void withoutARegistryTheMetersJoinMicrometersGlobalRegistry() throws Exception {
    SimpleMeterRegistry global = new SimpleMeterRegistry();
    Metrics.addRegistry(global);
    try {
      VeilDataSource ds = dataSource("metrics-it-global");
      ds.setMetricsName("global-it");
      try (Connection c = ds.getConnection()) {
        writeRows(c, 200);
      }
      assertThat(global.get("veil.cells.sealed").tag("name", "global-it")
          .tag("kind", "randomized").functionCounter().count()).isEqualTo(ROWS);
    } finally {
      Metrics.removeRegistry(global);
    }
  }

  /** No meter name or tag holds a plaintext written, a key id of veil_keys, or a column. */
  private static void assertNoSecretInMeters(MeterRegistry registry) throws SQLException {
    List<String> forbidden = new ArrayList<>(PLAINTEXTS);
    forbidden.addAll(List.of("metrics_it", "ssn", "email", FakeKmsServer.KEY_UUID));
    try (Connection c = server.plainConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT key_id::text FROM veil_keys")) {
      while (rs.next()) {
        forbidden.add(rs.getString(1));
      }
    }
    assertThat(forbidden).hasSizeGreaterThan(PLAINTEXTS.size() + 4);
    assertThat(registry.getMeters()).isNotEmpty();
    for (Meter meter : registry.getMeters()) {
      List<String> words = new ArrayList<>(List.of(meter.getId().getName()));
      for (Tag tag : meter.getId().getTags()) {
        words.add(tag.getKey());
        words.add(tag.getValue());
      }
      for (String word : words) {
        for (String secret : forbidden) {
          assertThat(word).as(meter.getId().toString()).doesNotContainIgnoringCase(secret);
        }
      }
    }
  }
}
