package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.jdbc.VeilDataSource;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/** HikariCP configured the two ways applications do: by JDBC URL and by data source class. */
class HikariIT {

  private static PostgresServer server;

  @BeforeAll
  static void startServer() {
    server = TestPostgres.shared();
  }

  @Test
  void poolByJdbcUrl() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.veilUrl() + "?sslrootcert=" + server.caCertificate());
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(4);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      assertPoolServesVeilConnectionsOverTls13(pool);
    }
  }

  @Test
  void poolByDataSourceClassName() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setDataSourceClassName(VeilDataSource.class.getName());
    config.addDataSourceProperty("url", server.veilUrl());
    config.addDataSourceProperty("sslRootCert", server.caCertificate().toString());
    config.addDataSourceProperty("plaintextReads", "deny");
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(4);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      assertPoolServesVeilConnectionsOverTls13(pool);
      VeilDataSource veil = pool.unwrap(VeilDataSource.class);
      assertThat(veil.getVeilProperty("veil.plaintextReads")).isEqualTo("deny");
    }
  }

  private static void assertPoolServesVeilConnectionsOverTls13(HikariDataSource pool)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        results.add(threads.submit(() -> {
          try (Connection c = pool.getConnection();
              Statement s = c.createStatement();
              ResultSet rs = s.executeQuery(
                  "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(c.isWrapperFor(org.veil.jdbc.VeilDataSource.class)).isFalse();
            assertThat(c.unwrap(Connection.class).getClass().getName())
                .startsWith("org.veil.jdbc.");
            rs.next();
            return rs.getString(1);
          }
        }));
      }
      for (Future<String> result : results) {
        assertThat(result.get()).isEqualTo("TLSv1.3");
      }
    } finally {
      threads.shutdown();
    }
  }

  @Test
  void dataSourceRefusesWeakerTlsLikeTheDriver() {
    VeilDataSource ds = new VeilDataSource();
    ds.setUrl(server.veilUrl() + "?sslmode=require");
    ds.setUser(server.user());
    ds.setPassword(server.password());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ds.getConnection().close())
        .isInstanceOf(SQLException.class).hasMessageContaining("Veil refuses sslmode=require");
  }
}
