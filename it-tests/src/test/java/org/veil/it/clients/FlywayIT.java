package org.veil.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.jdbc.VeilDataSource;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Flyway migrations run through the Veil URL exactly as they ran through pgjdbc: schema and
 * data migrations pass untouched, also before the tables they create exist, and a migration that
 * would write a literal into an encrypted column is refused with Veil's error.
 */
class FlywayIT {

  private static final String LOCATIONS = "classpath:org/veil/it/clients/flyway/";

  private static PostgresServer server;
  private static Path keyFile;

  @BeforeAll
  static void startServer() {
    server = TestPostgres.shared();
    keyFile = ClientSetup.newMasterKeyFile();
  }

  private static Properties veilSettings(String columns) {
    Properties props = ClientSetup.keySettings(keyFile, "clients-flyway");
    props.setProperty("veil.columns", columns);
    return props;
  }

  @Test
  void schemaAndDataMigrationsRunUntouchedThroughTheApplicationsVeilPool() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(ClientSetup.veilUrl(server));
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(2);
    veilSettings("fw_patients.national_id:deterministic, fw_patients.full_name, fw_patients.notes")
        .forEach((k, v) -> config.addDataSourceProperty((String) k, v));
    try (HikariDataSource pool = new HikariDataSource(config)) {
      MigrateResult result = Flyway.configure()
          .dataSource(pool)
          .locations(LOCATIONS + "schema")
          .table("fw_schema_history")
          // The shared test database already holds other tests' tables.
          .baselineOnMigrate(true).baselineVersion("0")
          .load()
          .migrate();
      assertThat(result.success).isTrue();
      assertThat(result.migrationsExecuted).isEqualTo(2);

      try (Connection c = pool.getConnection();
          PreparedStatement insert = c.prepareStatement("INSERT INTO fw_patients"
              + " (national_id, full_name, notes, ward) VALUES (?, ?, ?, ?)")) {
        insert.setString(1, "FW-1001");
        insert.setString(2, "Ada Lovelace");
        insert.setString(3, "allergic to penicillin");
        insert.setString(4, "B");
        insert.executeUpdate();
      }
      try (Connection c = pool.getConnection();
          PreparedStatement find = c.prepareStatement("SELECT p.full_name, p.notes, w.name"
              + " FROM fw_patients p JOIN fw_wards w ON w.code = p.ward WHERE p.national_id = ?")) {
        find.setString(1, "FW-1001");
        try (ResultSet rs = find.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("Ada Lovelace");
          assertThat(rs.getString(2)).isEqualTo("allergic to penicillin");
          assertThat(rs.getString(3)).isEqualTo("Oncology");
        }
      }
    }
    List<String> plaintexts = List.of("FW-1001", "Ada Lovelace", "penicillin");
    ClientSetup.assertCiphertextOnly(server, "fw_patients", "national_id", plaintexts);
    ClientSetup.assertCiphertextOnly(server, "fw_patients", "full_name", plaintexts);
    ClientSetup.assertCiphertextOnly(server, "fw_patients", "notes", plaintexts);
    assertThat(ClientSetup.storedValues(server, "fw_wards", "name"))
        .containsExactly("Cardiology", "Oncology");
  }

  @Test
  void migrationInsertingALiteralIntoAnEncryptedColumnIsRefused() throws Exception {
    // Every Veil setting in the URL, handed to Flyway as a VeilDataSource.
    VeilDataSource dataSource = new VeilDataSource();
    dataSource.setUrl(veilUrlWithSettings(veilSettings("fw_contacts.phone")));
    dataSource.setUser(server.user());
    dataSource.setPassword(server.password());
    Flyway flyway = Flyway.configure()
        .dataSource(dataSource)
        .locations(LOCATIONS + "literal")
        .table("fw_literal_history")
        .baselineOnMigrate(true).baselineVersion("0")
        .load();

    assertThatThrownBy(flyway::migrate)
        .satisfies(e -> {
          SQLException refusal = sqlExceptionIn(e);
          assertThat(refusal.getSQLState()).isEqualTo("42501");
          assertThat(refusal.getMessage()).contains("fw_contacts").contains("phone")
              .doesNotContain("7946");
        });

    assertThat(ClientSetup.storedValues(server, "fw_contacts", "phone")).isEmpty();
    try (Connection c = server.plainConnection();
        PreparedStatement ps = c.prepareStatement("SELECT version, success FROM"
            + " fw_literal_history WHERE version IS NOT NULL AND version <> '0' ORDER BY 1");
        ResultSet rs = ps.executeQuery()) {
      Map<String, Boolean> applied = new java.util.LinkedHashMap<>();
      while (rs.next()) {
        applied.put(rs.getString(1), rs.getBoolean(2));
      }
      assertThat(applied).containsExactly(Map.entry("1", true));
    }
  }

  /**
   * Flyway's own {@code url} setting picks its database support by URL prefix and knows no
   * {@code jdbc:veil:}; applications hand Flyway a DataSource instead (as Spring Boot does).
   * When this starts to fail, Flyway learned the prefix: update docs/ADOPTING.md.
   */
  @Test
  void flywaysOwnUrlSettingDoesNotRecogniseTheVeilPrefix() {
    String url = veilUrlWithSettings(veilSettings("fw_contacts.phone"));
    assertThatThrownBy(() -> Flyway.configure().dataSource(url, server.user(), server.password()))
        .isInstanceOf(FlywayException.class)
        .hasMessageContaining("No Flyway database plugin found");
  }

  private static String veilUrlWithSettings(Properties settings) {
    return ClientSetup.veilUrl(server) + settings.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode((String) e.getValue(),
            StandardCharsets.UTF_8))
        .collect(Collectors.joining("&", "&", ""));
  }

  private static SQLException sqlExceptionIn(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    throw new AssertionError("no SQLException in the cause chain of " + thrown, thrown);
  }
}
