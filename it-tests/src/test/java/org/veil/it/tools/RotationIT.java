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
      "tool_rot.secret, tool_rot.note, tool_rot.email:deterministic", "tools-rot");

  private void createAndFill(Properties settings, int from, int to) throws SQLException {
    try (Connection c = fx.server.veilConnection(settings);
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO tool_rot (id, secret, email, note) VALUES (?, ?, ?, ?)")) {
      for (int id = from; id <= to; id++) {
        ps.setInt(1, id);
        ps.setString(2, id % 7 == 0 ? null : "secret " + id);
        ps.setString(3, "user" + id + "@example.com");
        ps.setString(4, "note " + id);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void createTable() throws SQLException {
    fx.exec("DROP TABLE IF EXISTS tool_rot",
        "CREATE TABLE tool_rot (id integer PRIMARY KEY, secret bytea, email text, note text)");
  }

  @Test
  void masterRotationRewrapsTheKeysAndLeavesEveryDataRowByteIdentical() throws Exception {
    createTable();
    createAndFill(fx.veilSettings(fx.keyFile), 1, ROWS);
    Map<Integer, List<Object>> before = rawRows();
    Path newKey = ToolFixture.newMasterKeyFile();

    assertThat(fx.run("rotate-master", "--to", newKey.toString(), "--dry-run")).isZero();
    assertThat(fx.masterKeyIds()).doesNotContain(ToolFixture.masterKeyId(newKey));
    assertThat(fx.run("rotate-master", "--to", newKey.toString())).isZero();

    assertThat(rawRows()).as("data rows, byte for byte").isEqualTo(before);
    assertThat(fx.masterKeyIds()).containsOnly(ToolFixture.masterKeyId(newKey));
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
  void retiringABranchKeyRewrapsItsCellsKeepingEveryPayloadByteForByte() throws Exception {
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
    int rewrapped = 0;
    for (int id = 1; id <= ROWS; id++) {
      assertThat(after.get(id).get(1)).as("deterministic cell of %d", id)
          .isEqualTo(before.get(id).get(1));
      byte[] wasNote = cellOfText(before.get(id).get(2));
      byte[] nowNote = cellOfText(after.get(id).get(2));
      byte[] was = (byte[]) before.get(id).get(0);
      byte[] now = (byte[]) after.get(id).get(0);
      if (was == null) {
        assertThat(now).isNull();
      }
      boolean retiredRow = keyOf(wasNote).equals(retired);
      for (byte[][] c : new byte[][][] {{was, now}, {wasNote, nowNote}}) {
        if (c[0] == null) {
          continue;
        }
        if (retiredRow) {
          // A v3 cell whose row key is derived from the retired key becomes kind 3: its row key
          // wrapped under the active key, the payload (value IV, ciphertext, tag) unchanged.
          assertThat(Arrays.copyOf(c[0], 4)).as("format v3 kind 0 of %d", id)
              .isEqualTo(new byte[] {0x56, 0x4c, 3, 0});
          assertThat(Arrays.copyOf(c[1], 4)).as("format v3 kind 3 of %d", id)
              .isEqualTo(new byte[] {0x56, 0x4c, 3, 3});
          assertThat(c[1][4]).as("value type of %d", id).isEqualTo(c[0][4]);
          assertThat(keyOf(c[1])).as("key of %d", id).isEqualTo(active);
          assertThat(payload(c[1])).as("IV, ciphertext and tag of %d", id)
              .isEqualTo(payload(c[0]));
          rewrapped++;
        } else {
          assertThat(c[1]).as("cell of %d under a key not retired", id).isEqualTo(c[0]);
        }
      }
      if (retiredRow && now != null) {
        assertThat(Arrays.copyOfRange(now, 5, 81)).as("row %d still shares one row key", id)
            .isEqualTo(Arrays.copyOfRange(nowNote, 5, 81));
      }
    }
    assertThat(rewrapped).isGreaterThan(ROWS / 2);
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

  @Test
  void retiringABranchKeyWithResealGivesFreshPayloadsAndKeepsEveryValue() throws Exception {
    createTable();
    createAndFill(fx.veilSettings(fx.keyFile), 1, ROWS / 4);
    Map<Integer, List<Object>> before = rawRows();
    UUID retired = activeBranchKey(fx.keyring);

    assertThat(fx.run("rotate-branch", "--table", "tool_rot", "--retire", retired.toString(),
        "--reseal")).isZero();

    UUID active = activeBranchKey(fx.keyring);
    Map<Integer, List<Object>> after = rawRows();
    for (int id = 1; id <= ROWS / 4; id++) {
      byte[] was = cellOfText(before.get(id).get(2));
      byte[] now = cellOfText(after.get(id).get(2));
      assertThat(keyOf(now)).isEqualTo(active);
      assertThat(payload(now)).as("payload of %d", id).isNotEqualTo(payload(was));
    }
    Properties strict = fx.veilSettings(fx.keyFile);
    strict.setProperty("veil.plaintextReads", "deny");
    Map<Integer, String> expected = expectedValues();
    expected.keySet().removeIf(id -> id > ROWS / 4);
    assertThat(values(fx.server.veilConnection(strict))).isEqualTo(expected);
  }

  /**
   * The value's IV, ciphertext and tag: bytes 37 onwards of a v3 kind 0 cell (key id, then the
   * row nonce before it), bytes 81 onwards of a kind 3 cell (key id, wrap IV, wrapped row key).
   */
  private static byte[] payload(byte[] cell) {
    assertThat(Arrays.copyOf(cell, 3)).isEqualTo(new byte[] {0x56, 0x4c, 3});
    return Arrays.copyOfRange(cell, cell[3] == 0 ? 37 : 81, cell.length);
  }

  private static byte[] cellOfText(Object stored) {
    String text = (String) stored;
    assertThat(text).startsWith("veil:");
    return java.util.Base64.getDecoder().decode(text.substring("veil:".length()));
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

  /** Every row as stored: the bytea cell and the text cell. */
  private Map<Integer, List<Object>> rawRows() throws SQLException {
    Map<Integer, List<Object>> rows = new HashMap<>();
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, secret, email, note FROM tool_rot")) {
      while (rs.next()) {
        rows.put(rs.getInt(1), Arrays.asList(rs.getBytes(2), rs.getString(3), rs.getString(4)));
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
              other.get(1)) || !java.util.Objects.equals(e.getValue().get(2), other.get(2))) {
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
      v.put(id, (id % 7 == 0 ? null : "secret " + id) + "|user" + id + "@example.com|note "
          + id);
    }
    return v;
  }

  private static Map<Integer, String> values(Connection veil) throws SQLException {
    Map<Integer, String> v = new HashMap<>();
    try (veil; Statement s = veil.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, secret, email, note FROM tool_rot")) {
      while (rs.next()) {
        v.put(rs.getInt(1), rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
      }
    }
    return v;
  }
}
