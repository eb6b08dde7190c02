package org.veil.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * A HikariCP pool of one connection: after Veil refuses a statement, the next borrower gets the
 * same server session ({@code pg_backend_pid()}), not a new one. With SQLSTATE 0A000, which
 * Veil's refusals carried before, HikariCP took every refusal for a broken connection and
 * evicted it.
 */
class PooledRefusalIT {

  private static PostgresServer server;
  private static HikariDataSource pool;

  @BeforeAll
  static void startPool() throws Exception {
    server = TestPostgres.shared();
    Path keyFile = ClientSetup.newMasterKeyFile();
    ClientSetup.execPlain(server, "DROP TABLE IF EXISTS pooled_refusals",
        "CREATE TABLE pooled_refusals (id int PRIMARY KEY, ssn bytea, email bytea)");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(ClientSetup.veilUrl(server));
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(1);
    Properties veil = ClientSetup.keySettings(keyFile, "clients-pooled-refusals");
    veil.setProperty("veil.columns", "pooled_refusals.ssn, pooled_refusals.email:deterministic");
    veil.forEach((k, v) -> config.addDataSourceProperty((String) k, v));
    pool = new HikariDataSource(config);
  }

  @AfterAll
  static void stopPool() {
    if (pool != null) {
      pool.close();
    }
  }

  @BeforeEach
  void emptyTable() throws SQLException {
    ClientSetup.execPlain(server, "TRUNCATE pooled_refusals");
  }

  private static int backendPid() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void likeOnARandomizedColumnLeavesThePooledConnectionToTheNextBorrower() throws Exception {
    int before = backendPid();
    SQLException refusal = catchThrowableOfType(SQLException.class, () -> {
      try (Connection c = pool.getConnection();
          PreparedStatement ps = c.prepareStatement(
              "SELECT id FROM pooled_refusals WHERE ssn LIKE ?")) {
        ps.setString(1, "123%");
        ps.executeQuery().close();
      }
    });
    assertThat(backendPid()).isEqualTo(before);
    assertThat(refusal.getSQLState()).isEqualTo("42000");
    assertThat(refusal.getMessage()).contains("public.pooled_refusals.ssn");
  }

  @Test
  void aLiteralIntoAnEncryptedColumnLeavesThePooledConnectionToTheNextBorrower()
      throws Exception {
    int before = backendPid();
    SQLException refusal = catchThrowableOfType(SQLException.class, () -> {
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO pooled_refusals (id, ssn) VALUES (1, '123-45-6789')");
      }
    });
    assertThat(backendPid()).isEqualTo(before);
    assertThat(refusal.getSQLState()).isEqualTo("42501");
    assertThat(refusal.getMessage()).contains("public.pooled_refusals.ssn")
        .doesNotContain("123-45-6789");
  }

  @Test
  void aStoredValueThatIsNoCellLeavesThePooledConnectionToTheNextBorrower() throws Exception {
    ClientSetup.execPlain(server,
        "INSERT INTO pooled_refusals (id, email) VALUES (2, 'stored before Veil'::bytea)");
    int before = backendPid();
    SQLException refusal = catchThrowableOfType(SQLException.class, () -> {
      try (Connection c = pool.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT email FROM pooled_refusals WHERE id = 2")) {
        rs.next();
        rs.getString(1);
      }
    });
    assertThat(backendPid()).isEqualTo(before);
    assertThat(refusal.getSQLState()).isEqualTo("22000");
    assertThat(refusal.getMessage()).contains("public.pooled_refusals.email");
  }

  @Test
  void aRefusalInsideATransactionLeavesTheTransactionToCommit() throws Exception {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO pooled_refusals (id, ssn) VALUES (?, ?)")) {
        insert.setInt(1, 3);
        insert.setString(2, "123-45-6789");
        insert.executeUpdate();
      }
      SQLException refusal = catchThrowableOfType(SQLException.class,
          () -> c.prepareStatement("SELECT id FROM pooled_refusals ORDER BY ssn").close());
      c.commit();
      assertThat(refusal.getSQLState()).isEqualTo("42000");
    }
    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT ssn FROM pooled_refusals WHERE id = 3")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("123-45-6789");
    }
  }
}
