package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** rotate-master and rotate-branch, checked byte for byte against what is stored. */
class RotationIT {

  private static final int ROWS = 2000;

  private final ToolFixture fx = new ToolFixture(
      "tool_rot.secret, tool_rot.email:deterministic", "tools-rot");

  private void createAndFill(Properties settings, int from, int to) throws SQLException {
    try (Connection c = fx.server.veilConnection(settings);
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO tool_rot (id, secret, email) VALUES (?, ?, ?)")) {
      for (int id = from; id <= to; id++) {
        ps.setInt(1, id);
        ps.setString(2, id % 7 == 0 ? null : "secret " + id);
        ps.setString(3, "user" + id + "@example.com");
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void createTable() throws SQLException {
    fx.exec("DROP TABLE IF EXISTS tool_rot",
        "CREATE TABLE tool_rot (id integer PRIMARY KEY, secret bytea, email text)");
  }

  @Test
  void masterRotationRewrapsTheKeysAndLeavesEveryDataRowByteIdentical() throws Exception {
    createTable();
    createAndFill(fx.veilSettings(fx.keyFile), 1, ROWS);
    Map<Integer, List<Object>> before = rawRows();
    Path newKey = ToolFixture.newMasterKeyFile();

    assertThat(fx.run("rotate-master", "--to", newKey.toString(), "--dry-run")).isZero();
    assertThat(masterKeyIds()).doesNotContain(masterKeyId(newKey));
    assertThat(fx.run("rotate-master", "--to", newKey.toString())).isZero();

    assertThat(rawRows()).as("data rows, byte for byte").isEqualTo(before);
    assertThat(masterKeyIds()).containsOnly(masterKeyId(newKey));
    Properties strict = fx.veilSettings(newKey);
    strict.setProperty("veil.plaintextReads", "deny");
    assertThat(values(fx.server.veilConnection(strict))).isEqualTo(expectedValues());
    // The old master key opens nothing any more (a fresh data source: nothing cached).
    Properties old = fx.veilSettings(fx.keyFile);
    old.setProperty("veil.keys.keyring", fx.keyring); // same keyring, old master key
    old.setProperty("veil.cache.keyMax", "999"); // a distinct configuration, so no shared cache
    assertThatThrownBy(() -> values(fx.server.veilConnection(old)))
        .isInstanceOf(SQLException.class).hasMessageContaining("master key");
  }

  @Test
  void retiringABranchKeyResealsItsCellsOnlyAndKeepsEveryValue() throws Exception {
    createTable();
    createAndFill(fx.veilSettings(fx.keyFile), 1, ROWS / 2);
    // The other half through another keyring: cells under a branch key that is not retired.
    Properties other = fx.veilSettings(fx.keyFile);
    other.setProperty("veil.keys.keyring", fx.keyring + "-other");
    createAndFill(other, ROWS / 2 + 1, ROWS);
    Map<Integer, List<Object>> before = rawRows();
    UUID retired = activeBranchKey(fx.keyring);

    assertThat(fx.run("rotate-branch", "--table", "tool_rot", "--retire", retired.toString()))
        .isZero();

    UUID active = activeBranchKey(fx.keyring);
    assertThat(active).isNotEqualTo(retired);
    Map<Integer, List<Object>> after = rawRows();
    for (int id = 1; id <= ROWS; id++) {
      byte[] was = (byte[]) before.get(id).get(0);
      byte[] now = (byte[]) after.get(id).get(0);
      assertThat(after.get(id).get(1)).as("deterministic cell of %d", id)
          .isEqualTo(before.get(id).get(1));
      if (was == null) {
        assertThat(now).isNull();
      } else if (keyOf(was).equals(retired)) {
        assertThat(keyOf(now)).as("key of %d", id).isEqualTo(active);
      } else {
        assertThat(now).as("cell of %d under a key not retired", id).isEqualTo(was);
      }
    }
    assertThat(after.values().stream().filter(r -> r.get(0) != null)
        .map(r -> keyOf((byte[]) r.get(0)))).doesNotContain(retired);
    Properties strict = fx.veilSettings(fx.keyFile);
    strict.setProperty("veil.plaintextReads", "deny");
    assertThat(values(fx.server.veilConnection(strict))).isEqualTo(expectedValues());
    // Run again: nothing left under the retired key, nothing changes.
    assertThat(fx.run("rotate-branch", "--table", "tool_rot", "--retire", retired.toString(),
        "--restart")).isZero();
    assertThat(rawRows()).isEqualTo(after);
  }

  private static UUID keyOf(byte[] cell) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(cell, 5, 16);
    return new UUID(b.getLong(), b.getLong());
  }

  private UUID activeBranchKey(String keyring) throws SQLException {
    try (Connection c = fx.plain(); PreparedStatement ps = c.prepareStatement(
        "SELECT key_id FROM veil_keys WHERE keyring = ? AND purpose = 'branch' AND active")) {
      ps.setString(1, keyring);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getObject(1, UUID.class);
      }
    }
  }

  private List<String> masterKeyIds() throws SQLException {
    try (Connection c = fx.plain(); PreparedStatement ps = c.prepareStatement(
        "SELECT DISTINCT master_key_id FROM veil_keys WHERE keyring = ?")) {
      ps.setString(1, fx.keyring);
      try (ResultSet rs = ps.executeQuery()) {
        List<String> ids = new java.util.ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
        return ids;
      }
    }
  }

  private static String masterKeyId(Path keyFile) throws Exception {
    try (org.veil.kms.LocalKeyProvider p = org.veil.kms.LocalKeyProvider.ofKey(
        java.nio.file.Files.readAllBytes(keyFile), new java.security.SecureRandom())) {
      return p.masterKeyId();
    }
  }

  /** Every row as stored: the bytea cell and the text cell. */
  private Map<Integer, List<Object>> rawRows() throws SQLException {
    Map<Integer, List<Object>> rows = new HashMap<>();
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, secret, email FROM tool_rot")) {
      while (rs.next()) {
        rows.put(rs.getInt(1), Arrays.asList(rs.getBytes(2), rs.getString(3)));
      }
    }
    return new HashMap<>(rows) {
      @Override
      public boolean equals(Object o) {
        if (!(o instanceof Map<?, ?> m) || m.size() != size()) {
          return false;
        }
        for (Map.Entry<Integer, List<Object>> e : entrySet()) {
          @SuppressWarnings("unchecked")
          List<Object> other = (List<Object>) m.get(e.getKey());
          if (other == null || !Arrays.equals((byte[]) e.getValue().get(0),
              (byte[]) other.get(0)) || !java.util.Objects.equals(e.getValue().get(1),
              other.get(1))) {
            return false;
          }
        }
        return true;
      }
    };
  }

  private static Map<Integer, String> expectedValues() {
    Map<Integer, String> v = new HashMap<>();
    for (int id = 1; id <= ROWS; id++) {
      v.put(id, (id % 7 == 0 ? null : "secret " + id) + "|user" + id + "@example.com");
    }
    return v;
  }

  private static Map<Integer, String> values(Connection veil) throws SQLException {
    Map<Integer, String> v = new HashMap<>();
    try (veil; Statement s = veil.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, secret, email FROM tool_rot")) {
      while (rs.next()) {
        v.put(rs.getInt(1), rs.getString(2) + "|" + rs.getString(3));
      }
    }
    return v;
  }
}
