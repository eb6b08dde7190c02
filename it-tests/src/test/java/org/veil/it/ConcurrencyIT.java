package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/** Many threads through a pool, mixed writes and reads: every value read is the value written. */
class ConcurrencyIT {

  private static final int THREADS = 16;
  private static final int OPERATIONS = 20_000;

  @Test
  void sixteenThreadsDoingMixedWorkReadBackEveryValueTheyWrote() throws Exception {
    PostgresServer server = TestPostgres.shared();
    Path keyFile = EncryptedTables.newMasterKeyFile();
    EncryptedTables.execPlain(server, "DROP TABLE IF EXISTS accounts",
        "CREATE TABLE accounts (id bigserial PRIMARY KEY, owner int NOT NULL,"
            + " iban bytea, holder text, tag bytea)");
    Properties veil = EncryptedTables.veilSettings(keyFile,
        "accounts.iban, accounts.holder, accounts.tag:deterministic", "concurrency-it");

    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.veilUrl());
    config.setDataSourceProperties(server.connectionProperties());
    veil.forEach((k, v) -> config.addDataSourceProperty((String) k, v));
    config.setMaximumPoolSize(8);
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      List<Future<Map<Long, String[]>>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int owner = t;
        results.add(threads.submit(() -> work(pool, owner, OPERATIONS / THREADS)));
      }
      Map<Long, String[]> expected = new HashMap<>();
      for (Future<Map<Long, String[]>> result : results) {
        expected.putAll(result.get());
      }
      try (Connection c = pool.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT id, iban, holder, tag FROM accounts")) {
        int rows = 0;
        while (rs.next()) {
          rows++;
          String[] want = expected.get(rs.getLong(1));
          assertThat(new String[] {rs.getString(2), rs.getString(3), rs.getString(4)})
              .containsExactly(want);
        }
        assertThat(rows).isEqualTo(expected.size());
      }
    } finally {
      threads.shutdownNow();
    }
    try (Connection c = server.plainConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM accounts WHERE"
            + " substring(iban from 1 for 2) <> 'VL'::bytea OR holder NOT LIKE 'veil:%'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("rows holding anything but cells").isZero();
    }
  }

  /** One thread's share: inserts, updates and reads of its own rows, checked as it goes. */
  private static Map<Long, String[]> work(HikariDataSource pool, int owner, int operations)
      throws SQLException {
    Map<Long, String[]> mine = new HashMap<>();
    List<Long> ids = new ArrayList<>();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int op = 0; op < operations; op++) {
      try (Connection c = pool.getConnection()) {
        int choice = ids.isEmpty() ? 0 : random.nextInt(10);
        if (choice < 4) {
          String[] row = {"DE" + random.nextLong(), "holder " + owner + "/" + op,
              "tag-" + owner + "-" + (op % 7)};
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO accounts"
              + " (owner, iban, holder, tag) VALUES (?, ?, ?, ?) RETURNING id")) {
            ps.setInt(1, owner);
            ps.setString(2, row[0]);
            ps.setString(3, row[1]);
            ps.setString(4, row[2]);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              ids.add(rs.getLong(1));
              mine.put(rs.getLong(1), row);
            }
          }
        } else if (choice < 7) {
          long id = ids.get(random.nextInt(ids.size()));
          String[] row = mine.get(id).clone();
          row[0] = "FR" + random.nextLong();
          try (PreparedStatement ps = c.prepareStatement(
              "UPDATE accounts SET iban = ? WHERE id = ? AND owner = ?")) {
            ps.setString(1, row[0]);
            ps.setLong(2, id);
            ps.setInt(3, owner);
            assertThat(ps.executeUpdate()).isEqualTo(1);
          }
          mine.put(id, row);
        } else if (choice < 9) {
          long id = ids.get(random.nextInt(ids.size()));
          try (PreparedStatement ps = c.prepareStatement(
              "SELECT iban, holder, tag FROM accounts WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              assertThat(rs.next()).isTrue();
              assertThat(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                  .containsExactly(mine.get(id));
            }
          }
        } else {
          String tag = "tag-" + owner + "-" + random.nextInt(7);
          long expected = mine.values().stream().filter(r -> r[2].equals(tag)).count();
          try (PreparedStatement ps = c.prepareStatement(
              "SELECT count(*) FROM accounts WHERE tag = ?")) {
            ps.setString(1, tag);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              assertThat(rs.getLong(1)).isEqualTo(expected);
            }
          }
        }
      }
    }
    return mine;
  }
}
