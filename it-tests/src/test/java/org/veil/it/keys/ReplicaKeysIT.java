package org.veil.it.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.jdbc.VeilDriver;
import org.veil.testing.PostgresServer;
import org.veil.testing.ReplicaPair;
import org.veil.testing.TestPostgres;

/**
 * A primary and a streaming standby used with the same settings: keys are created on the
 * primary whichever server a connection is on, and read from the server the connection is on.
 */
class ReplicaKeysIT {

  private static ReplicaPair pair;
  private static Path keyFile;

  @BeforeAll
  static void setUp() throws SQLException {
    assumeTrue(TestPostgres.canStartReplicaPairs(), "needs the embedded engine");
    pair = TestPostgres.startReplicaPair();
    keyFile = KeySettings.newMasterKeyFile();
    try (Connection c = pair.primary().plainConnection(); Statement s = c.createStatement()) {
      s.execute(KeySettings.TABLE_DDL);
    }
    pair.awaitReplay();
  }

  @AfterAll
  static void tearDown() {
    if (pair != null) {
      pair.close();
    }
  }

  private static Properties settings(String keyring) {
    return KeySettings.of(pair.primary(), keyFile, keyring);
  }

  private static boolean inRecovery(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static int keys(PostgresServer server, String keyring) throws SQLException {
    try (Connection c = server.plainConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT count(*) FROM veil_keys WHERE keyring = ?")) {
      ps.setString(1, keyring);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static int findByTag(Connection c, String tag) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM notes WHERE tag = ?")) {
      ps.setString(1, tag);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : -1;
      }
    }
  }

  private static void insert(Connection c, int id, String body, String tag) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO notes (id, body, tag) VALUES (?, ?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, body);
      ps.setString(3, tag);
      ps.executeUpdate();
    }
  }

  @Test
  void theStandbyStreamsFromThePrimaryOverTls13() throws Exception {
    assertThat(pair.replicationProtocol()).contains("TLSv1.3");
  }

  @Test
  void awaitReplayCoversTheTransactionThePrimaryCommittedLast() throws Exception {
    String lastRecord;
    try (Connection c = pair.primary().plainConnection(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("CREATE TABLE replayed_marker (id int)");
      try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
        rs.next();
        lastRecord = rs.getString(1);
      }
      c.commit();
      // The commit record follows lastRecord; awaitReplay's target must be past it.
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT pg_current_wal_lsn() > ?::pg_lsn")) {
        ps.setString(1, lastRecord);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getBoolean(1)).as("the commit's WAL is written when it returns").isTrue();
        }
      }
    }
    pair.awaitReplay();
    try (Connection c = pair.standby().plainConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('public.replayed_marker') IS NOT NULL")) {
      rs.next();
      assertThat(rs.getBoolean(1)).as("the standby has replayed the commit").isTrue();
    }
  }

  @Test
  void newKeyringThroughAStandbyFirstConnectionIsCreatedOnThePrimary() throws Exception {
    String keyring = "standby-first";
    VeilDriver driver = new VeilDriver();
    try (Connection c = driver.connect(pair.veilUrl(pair.standby(), pair.primary()),
        settings(keyring))) {
      assertThat(inRecovery(c)).as("the connection is on the standby").isTrue();
      // Sealing the lookup value needs the keyring's deterministic key: created on the primary.
      assertThat(findByTag(c, "no such tag")).isEqualTo(-1);
    }
    assertThat(keys(pair.primary(), keyring)).isEqualTo(1);
    pair.awaitReplay();
    assertThat(keys(pair.standby(), keyring)).isEqualTo(1);
  }

  @Test
  void primaryConnectionAfterAStandbyFirstConnectionCreatesKeysOnThePrimary() throws Exception {
    String keyring = "standby-then-primary";
    VeilDriver driver = new VeilDriver();
    Properties settings = settings(keyring);
    try (Connection onStandby = driver.connect(pair.veilUrl(pair.standby()), settings)) {
      assertThat(inRecovery(onStandby)).isTrue();
      try (Connection onPrimary = driver.connect(pair.veilUrl(pair.primary()), settings)) {
        assertThat(inRecovery(onPrimary)).isFalse();
        insert(onPrimary, 10, "written after a standby connected first", "t10");
        assertThat(findByTag(onPrimary, "t10")).isEqualTo(10);
      }
    }
    assertThat(keys(pair.primary(), keyring)).isEqualTo(2);
  }

  @Test
  void standbyReadsAKeyCreatedOnThePrimaryAfterReplay() throws Exception {
    String keyring = "replayed";
    try (Connection c = new VeilDriver().connect(pair.veilUrl(pair.primary()),
        settings(keyring))) {
      insert(c, 20, "written on the primary", "t20");
    }
    pair.awaitReplay();

    // A driver with no runtime yet: every key comes from the standby's veil_keys.
    try (Connection c = new VeilDriver().connect(pair.veilUrl(pair.standby()),
        settings(keyring));
        PreparedStatement ps = c.prepareStatement("SELECT body FROM notes WHERE id = 20")) {
      assertThat(inRecovery(c)).isTrue();
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("written on the primary");
      }
      assertThat(findByTag(c, "t20")).isEqualTo(20);
    }
  }
}
