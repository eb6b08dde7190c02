package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.veil.crypto.KeyId;
import org.veil.crypto.KeyPurpose;
import org.veil.kms.BlobAuthenticationException;
import org.veil.kms.KeyContext;
import org.veil.kms.LocalKeyProvider;
import org.veil.kms.WrappedKey;

/**
 * Keys wrapped with their key id only, as Veil wrapped every key before it bound keyring and
 * purpose: they keep loading, and {@code rotate-master} (with {@code --upgrade-contexts} under
 * the same master key) re-wraps them bound to key id, keyring and purpose, keeping the key bytes,
 * so every cell still opens and a later relabel fails closed.
 */
class KeyContextUpgradeIT {

  private static final String KEYS = "veil_keys_upgrade";
  private static final String KEYS_SETTING = "-Dveil.keys.table=" + KEYS;
  private static final int ROWS = 40;

  private final ToolFixture fx = new ToolFixture("tool_upg.secret, tool_upg.email:deterministic",
      "tools-upg");
  /** The key bytes of the rows written the old way, by key id. */
  private final Map<KeyId, byte[]> material = new LinkedHashMap<>();

  /** A key table as Veil made it before {@code wrap_context}, holding two key id only keys. */
  private void keyIdOnlyKeyTable() throws Exception {
    fx.exec("DROP TABLE IF EXISTS " + KEYS + ", tool_upg",
        "CREATE TABLE tool_upg (id integer PRIMARY KEY, secret bytea, email bytea)",
        "CREATE TABLE " + KEYS + " (key_id uuid PRIMARY KEY, keyring text NOT NULL,"
            + " purpose text NOT NULL CHECK (purpose IN ('branch', 'deterministic')),"
            + " provider text NOT NULL, master_key_id text NOT NULL, wrapped_key bytea NOT NULL,"
            + " created_at timestamptz NOT NULL, retired_at timestamptz, active boolean NOT NULL)",
        "CREATE UNIQUE INDEX " + KEYS + "_one_active ON " + KEYS + " (keyring, purpose)"
            + " WHERE active");
    for (String purpose : List.of("branch", "deterministic")) {
      KeyId id = KeyId.random(new SecureRandom());
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      material.put(id, key);
      try (LocalKeyProvider master = master(fx.keyFile); Connection c = fx.plain();
          PreparedStatement ps = c.prepareStatement("INSERT INTO " + KEYS + " (key_id, keyring,"
              + " purpose, provider, master_key_id, wrapped_key, created_at, active)"
              + " VALUES (?, ?, ?, 'local', ?, ?, ?, true)")) {
        WrappedKey wrapped = master.wrap(key, KeyContext.keyIdOnly(id));
        ps.setObject(1, id.toUuid());
        ps.setString(2, fx.keyring);
        ps.setString(3, purpose);
        ps.setString(4, wrapped.masterKeyId());
        ps.setBytes(5, wrapped.blob());
        ps.setTimestamp(6, Timestamp.from(Instant.now()));
        ps.executeUpdate();
      }
    }
  }

  private static LocalKeyProvider master(Path keyFile) throws Exception {
    return LocalKeyProvider.ofKey(Files.readAllBytes(keyFile), new SecureRandom());
  }

  /** The application's settings with the master key {@code keyFile}, as a runtime of its own. */
  private Properties app(Path keyFile, int runtime) {
    Properties props = fx.veilSettings(keyFile);
    props.setProperty("veil.keys.table", KEYS);
    props.setProperty("veil.plaintextReads", "deny");
    props.setProperty("veil.cache.keyMax", Integer.toString(3000 + runtime));
    return props;
  }

  private void fill(Properties app) throws SQLException {
    try (Connection c = fx.server.veilConnection(app); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO tool_upg (id, secret, email) VALUES (?, ?, ?)")) {
      for (int id = 1; id <= ROWS; id++) {
        ps.setInt(1, id);
        ps.setString(2, "secret " + id);
        ps.setString(3, "user" + id + "@example.com");
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private List<String> values(Properties app) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection c = fx.server.veilConnection(app); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT secret, email FROM tool_upg ORDER BY id")) {
      while (rs.next()) {
        values.add(rs.getString(1) + "|" + rs.getString(2));
      }
    }
    return values;
  }

  private static List<String> expectedValues() {
    List<String> values = new ArrayList<>();
    for (int id = 1; id <= ROWS; id++) {
      values.add("secret " + id + "|user" + id + "@example.com");
    }
    return values;
  }

  /** Every data row as stored, hex: what re-wrapping keys must leave byte for byte. */
  private List<String> rawRows() throws SQLException {
    return query("SELECT id || ' ' || encode(secret, 'hex') || ' ' || encode(email, 'hex')"
        + " FROM tool_upg ORDER BY id");
  }

  /** Each key row: id, purpose, master key, wrap context (null before the column) and wrap. */
  private List<String> keyRows() throws SQLException {
    return query("SELECT key_id || ' ' || purpose || ' ' || master_key_id || ' '"
        + " || coalesce(to_jsonb(k) ->> 'wrap_context', '-') || ' ' || encode(wrapped_key, 'hex')"
        + " FROM " + KEYS + " k ORDER BY key_id");
  }

  private List<String> query(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private byte[] wrappedKey(KeyId id) throws SQLException {
    try (Connection c = fx.plain(); PreparedStatement ps = c.prepareStatement(
        "SELECT wrapped_key FROM " + KEYS + " WHERE key_id = ?")) {
      ps.setObject(1, id.toUuid());
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getBytes(1);
      }
    }
  }

  private KeyPurpose purposeOf(KeyId id) throws SQLException {
    return KeyPurpose.ofSqlName(query("SELECT purpose FROM " + KEYS + " WHERE key_id = '" + id
        + "'").get(0));
  }

  @Test
  void upgradeContextsBindsKeyIdOnlyKeysInPlaceKeepingTheirBytesAndEveryCell() throws Exception {
    keyIdOnlyKeyTable();
    fill(app(fx.keyFile, 1));
    assertThat(values(app(fx.keyFile, 2))).as("key id only keys load").isEqualTo(
        expectedValues());
    List<String> dataBefore = rawRows();
    List<String> keysBefore = keyRows();
    ToolFixture.Output status = fx.runCapturingOut("status", KEYS_SETTING);
    assertThat(status.text()).contains("bound=key-id%n".formatted())
        .contains("2 keys are wrapped with their key id only")
        .contains("veil rotate-master --upgrade-contexts");

    assertThat(fx.run("rotate-master", "--upgrade-contexts", "--dry-run", KEYS_SETTING))
        .isZero();
    assertThat(keyRows()).as("a dry run writes nothing").isEqualTo(keysBefore);
    ToolFixture.Output run = fx.runCapturingErr("rotate-master", "--upgrade-contexts",
        KEYS_SETTING);
    assertThat(run.exit()).as(run.text()).isZero();
    assertThat(run.text()).contains("re-wrapped 2 keys already under it that were wrapped"
        + " with their key id only");

    String masterId = ToolFixture.masterKeyId(fx.keyFile);
    assertThat(query("SELECT DISTINCT master_key_id || ' ' || wrap_context FROM " + KEYS))
        .containsExactly(masterId + " 2");
    try (LocalKeyProvider master = master(fx.keyFile)) {
      for (Map.Entry<KeyId, byte[]> key : material.entrySet()) {
        byte[] wrapped = wrappedKey(key.getKey());
        KeyContext bound = KeyContext.of(key.getKey(), fx.keyring, purposeOf(key.getKey()));
        assertThat(master.unwrap(wrapped, bound).plaintext()).as("the same key bytes")
            .isEqualTo(key.getValue());
        assertThatThrownBy(() -> master.unwrap(wrapped, KeyContext.keyIdOnly(key.getKey())))
            .isInstanceOf(BlobAuthenticationException.class);
      }
    }
    assertThat(rawRows()).as("data rows, byte for byte").isEqualTo(dataBefore);
    assertThat(values(app(fx.keyFile, 3))).isEqualTo(expectedValues());
    assertThat(fx.runCapturingOut("status", KEYS_SETTING).text())
        .contains("bound=key-id,keyring,purpose").doesNotContain("bound=key-id%n".formatted());

    // Now bound, a relabelled row fails closed.
    KeyId branch = material.keySet().iterator().next();
    fx.exec("UPDATE " + KEYS + " SET purpose = 'deterministic', active = false WHERE key_id = '"
        + branch + "'");
    assertThatThrownBy(() -> values(app(fx.keyFile, 4)))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("key " + branch + " of keyring " + fx.keyring)
        .hasMessageContaining("the row was altered");
  }

  @Test
  void rotatingToANewMasterKeyBindsTheContextOfEveryKeyItMoves() throws Exception {
    keyIdOnlyKeyTable();
    fill(app(fx.keyFile, 11));
    List<String> dataBefore = rawRows();
    Path newKey = ToolFixture.newMasterKeyFile();

    ToolFixture.Output run = fx.runCapturingErr("rotate-master", "--to", newKey.toString(),
        KEYS_SETTING);
    assertThat(run.exit()).as(run.text()).isZero();

    assertThat(query("SELECT DISTINCT master_key_id || ' ' || wrap_context FROM " + KEYS))
        .containsExactly(ToolFixture.masterKeyId(newKey) + " 2");
    try (LocalKeyProvider master = master(newKey)) {
      for (Map.Entry<KeyId, byte[]> key : material.entrySet()) {
        assertThat(master.unwrap(wrappedKey(key.getKey()), KeyContext.of(key.getKey(),
            fx.keyring, purposeOf(key.getKey()))).plaintext()).isEqualTo(key.getValue());
      }
    }
    assertThat(rawRows()).isEqualTo(dataBefore);
    assertThat(values(app(newKey, 12))).isEqualTo(expectedValues());
  }

  @Test
  void aBoundKeyMarkedKeyIdOnlyIsRefusedByRotateMasterAndNothingChanges() throws Exception {
    fx.exec("DROP TABLE IF EXISTS " + KEYS + ", tool_upg",
        "CREATE TABLE tool_upg (id integer PRIMARY KEY, secret bytea, email bytea)");
    fill(app(fx.keyFile, 21));
    fx.exec("UPDATE " + KEYS + " SET wrap_context = 1 WHERE purpose = 'branch'");
    String branch = query("SELECT key_id FROM " + KEYS + " WHERE purpose = 'branch'").get(0);
    List<String> keysBefore = keyRows();

    ToolFixture.Output run = fx.runCapturingErr("rotate-master", "--upgrade-contexts",
        KEYS_SETTING);
    assertThat(run.exit()).isEqualTo(org.veil.tools.Veil.REFUSED);
    assertThat(run.text()).contains("branch key " + branch + " of keyring " + fx.keyring)
        .contains("the row was altered").contains("nothing was changed");
    assertThat(keyRows()).isEqualTo(keysBefore);
  }

  @Test
  void upgradeContextsWithNoKeyTableYetHasNothingToDoAndCreatesNothing() throws Exception {
    fx.exec("DROP TABLE IF EXISTS " + KEYS);

    ToolFixture.Output run = fx.runCapturingErr("rotate-master", "--upgrade-contexts",
        KEYS_SETTING);
    assertThat(run.exit()).as(run.text()).isZero();
    assertThat(run.text()).contains("re-wrapped 0 keys");
    assertThat(query("SELECT count(*) FROM pg_class WHERE relname = '" + KEYS + "'"))
        .containsExactly("0");
  }

  @Test
  void rotateMasterToTheConfiguredKeyNamesUpgradeContextsAndNeedsOneOfTheTwo() throws Exception {
    keyIdOnlyKeyTable();
    List<String> keysBefore = keyRows();

    ToolFixture.Output same = fx.runCapturingErr("rotate-master", "--to", fx.keyFile.toString(),
        KEYS_SETTING);
    assertThat(same.exit()).isEqualTo(org.veil.tools.Veil.REFUSED);
    assertThat(same.text()).contains("is the master key already configured")
        .contains("veil rotate-master --upgrade-contexts");
    ToolFixture.Output neither = fx.runCapturingErr("rotate-master", KEYS_SETTING);
    assertThat(neither.exit()).isEqualTo(2);
    assertThat(neither.text()).contains("--to").contains("--upgrade-contexts");
    assertThat(keyRows()).as("nothing written").isEqualTo(keysBefore);
  }
}
