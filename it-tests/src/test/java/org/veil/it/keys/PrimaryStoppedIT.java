package org.veil.it.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.jdbc.VeilDriver;
import org.veil.testing.ReplicaPair;
import org.veil.testing.TestPostgres;

/**
 * The primary of a replica pair stopped after writing: a standby serves the keys of its cells
 * to a runtime that has none cached, and a key that would have to be created fails clearly.
 */
class PrimaryStoppedIT {

  private static final String KEYRING = "survivor";

  private static ReplicaPair pair;
  private static Path keyFile;
  /** Its first connection went to the primary, before it stopped; it has loaded no key. */
  private static VeilDriver connectedToThePrimaryFirst;

  @BeforeAll
  static void setUp() throws SQLException {
    assumeTrue(TestPostgres.canStartReplicaPairs(), "needs the embedded engine");
    pair = TestPostgres.startReplicaPair();
    keyFile = KeySettings.newMasterKeyFile();
    try (Connection c = pair.primary().plainConnection(); Statement s = c.createStatement()) {
      s.execute(KeySettings.TABLE_DDL);
    }
    try (Connection c = new VeilDriver().connect(pair.veilUrl(pair.primary()),
        settings(KEYRING));
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO notes (id, body, tag) VALUES (?, ?, ?)")) {
      for (int id = 1; id <= 3; id++) {
        ps.setInt(1, id);
        ps.setString(2, "note " + id);
        ps.setString(3, "t" + id);
        ps.executeUpdate();
      }
    }
    connectedToThePrimaryFirst = new VeilDriver();
    try (Connection c = connectedToThePrimaryFirst.connect(pair.veilUrl(pair.primary()),
        settings(KEYRING)); Statement s = c.createStatement()) {
      s.execute("SELECT 1");
    }
    pair.awaitReplay();
    pair.stopPrimary();
  }

  private static List<String> bodies(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT body FROM notes ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      List<String> bodies = new ArrayList<>();
      while (rs.next()) {
        bodies.add(rs.getString(1));
      }
      return bodies;
    }
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

  @Test
  void standbyReadsKeysNotYetCachedWhenTheFirstConnectionWasOnTheStoppedPrimary()
      throws Exception {
    try (Connection c = connectedToThePrimaryFirst.connect(pair.veilUrl(pair.standby()),
        settings(KEYRING))) {
      assertThat(bodies(c)).containsExactly("note 1", "note 2", "note 3");
    }
  }

  @Test
  void standbyReadsKeysNotYetCachedWhileThePrimaryIsStopped() throws Exception {
    // A new driver: no runtime, no cached key; the URL lists the stopped primary first.
    try (Connection c = new VeilDriver().connect(pair.veilUrl(pair.primary(), pair.standby()),
        settings(KEYRING))) {
      assertThat(bodies(c)).containsExactly("note 1", "note 2", "note 3");
    }
  }

  @Test
  void keyCreationWithNoPrimaryAnsweringFailsNamingTheHostsTried() throws Exception {
    try (Connection c = new VeilDriver().connect(pair.veilUrl(pair.primary(), pair.standby()),
        settings("needs-a-primary"));
        PreparedStatement ps = c.prepareStatement("SELECT id FROM notes WHERE tag = ?")) {
      assertThatThrownBy(() -> ps.setString(1, "t1"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("localhost:" + pair.primary().port())
          .hasMessageContaining("localhost:" + pair.standby().port())
          .hasMessageContaining("a primary is needed to create keyring and branch keys")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
    }
  }
}
