package org.veil.it.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.jdbc.VeilDataSource;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * An application's HikariCP pool of 10 serving 32 threads, configured the two ways applications
 * do (by {@code jdbcUrl}, and by {@code dataSourceClassName}), with Veil settings as data source
 * properties. Every thread writes patients and finds them again by the deterministic column.
 */
class HikariPoolIT {

  private static final int POOL_SIZE = 10;
  private static final int THREADS = 32;
  private static final int PATIENTS_PER_THREAD = 15;
  private static final String COLUMNS =
      "pool_patients.national_id:deterministic, pool_patients.full_name, pool_patients.born";

  private static PostgresServer server;
  private static Path keyFile;

  @BeforeAll
  static void createTable() throws Exception {
    server = TestPostgres.shared();
    keyFile = ClientSetup.newMasterKeyFile();
    ClientSetup.execPlain(server, "DROP TABLE IF EXISTS pool_patients",
        "CREATE TABLE pool_patients (id bigserial PRIMARY KEY, pool text NOT NULL,"
            + " national_id text NOT NULL, full_name bytea NOT NULL, born bytea)");
  }

  @Test
  void poolByJdbcUrlWithVeilSettingsAsDataSourceProperties() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(ClientSetup.veilUrl(server));
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(POOL_SIZE);
    Properties veil = ClientSetup.keySettings(keyFile, "clients-hikari");
    veil.setProperty("veil.columns", COLUMNS);
    veil.forEach((k, v) -> config.addDataSourceProperty((String) k, v));
    try (HikariDataSource pool = new HikariDataSource(config)) {
      assertThreadsWriteAndFindTheirPatients(pool, "url");
    }
    assertStoredAsCiphertext("url");
  }

  @Test
  void poolByDataSourceClassName() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setDataSourceClassName(VeilDataSource.class.getName());
    config.addDataSourceProperty("url", server.veilUrl());
    config.addDataSourceProperty("sslRootCert", server.caCertificate().toString());
    config.addDataSourceProperty("columns", COLUMNS);
    config.addDataSourceProperty("kms", "local");
    config.addDataSourceProperty("kmsKeystore", keyFile.toString());
    config.addDataSourceProperty("keysKeyring", "clients-hikari");
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(POOL_SIZE);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      assertThreadsWriteAndFindTheirPatients(pool, "class");
    }
    assertStoredAsCiphertext("class");
  }

  private static void assertThreadsWriteAndFindTheirPatients(HikariDataSource pool, String tag)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        results.add(threads.submit(() -> writeAndFind(pool, tag, thread)));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get(2, TimeUnit.MINUTES)).isEqualTo(PATIENTS_PER_THREAD);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isLessThanOrEqualTo(POOL_SIZE);
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT count(*) FROM pool_patients WHERE pool = ? AND national_id IN (?, ?)")) {
      ps.setString(1, tag);
      ps.setString(2, nationalId(tag, 0, 0));
      ps.setString(3, nationalId(tag, THREADS - 1, PATIENTS_PER_THREAD - 1));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(2);
      }
    }
  }

  /** One thread's work: insert, then look each patient up by national id; returns how many matched. */
  private static int writeAndFind(HikariDataSource pool, String tag, int thread) throws Exception {
    for (int i = 0; i < PATIENTS_PER_THREAD; i++) {
      try (Connection c = pool.getConnection();
          PreparedStatement ps = c.prepareStatement("INSERT INTO pool_patients"
              + " (pool, national_id, full_name, born) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, tag);
        ps.setString(2, nationalId(tag, thread, i));
        ps.setString(3, fullName(thread, i));
        ps.setDate(4, Date.valueOf(LocalDate.of(1950, 1, 1).plusDays(thread * 100L + i)));
        ps.executeUpdate();
      }
    }
    int found = 0;
    for (int i = 0; i < PATIENTS_PER_THREAD; i++) {
      try (Connection c = pool.getConnection();
          PreparedStatement ps = c.prepareStatement(
              "SELECT full_name, born FROM pool_patients WHERE national_id = ?")) {
        ps.setString(1, nationalId(tag, thread, i));
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo(fullName(thread, i));
          assertThat(rs.getObject(2)).isEqualTo(
              Date.valueOf(LocalDate.of(1950, 1, 1).plusDays(thread * 100L + i)));
          assertThat(rs.next()).isFalse();
          found++;
        }
      }
    }
    return found;
  }

  private static void assertStoredAsCiphertext(String tag) throws Exception {
    List<String> plaintexts = List.of(nationalId(tag, 0, 0), fullName(0, 0), "Patient");
    ClientSetup.assertCiphertextOnly(server, "pool_patients", "national_id", plaintexts);
    ClientSetup.assertCiphertextOnly(server, "pool_patients", "full_name", plaintexts);
    ClientSetup.assertCiphertextOnly(server, "pool_patients", "born", plaintexts);
  }

  private static String nationalId(String tag, int thread, int i) {
    return tag + "-NI-" + thread + "-" + i;
  }

  private static String fullName(int thread, int i) {
    return "Patient " + thread + "/" + i;
  }
}
