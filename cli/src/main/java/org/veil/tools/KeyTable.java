package org.veil.tools;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.veil.error.ServerState;
import org.veil.crypto.KeyId;
import org.veil.crypto.KeyPurpose;
import org.veil.keys.PostgresBranchKeyStore;
import org.veil.keys.StoredKey;
import org.veil.keys.WrapContext;
import org.veil.kms.KeyContext;

/**
 * The rows of {@code veil_keys} ({@code veil.keys.table}) as the tools see them: the key store
 * itself ({@code org.veil.keys.PostgresBranchKeyStore}) answers for one key at a time, the
 * tools list them and re-wrap them. Holds only wrapped keys.
 */
final class KeyTable {

  private static final Pattern IDENTIFIER =
      Pattern.compile("([a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*");

  /**
   * One stored key; {@code wrapped} is the master key's blob, never a plaintext key, and
   * {@code wrapContext} null for a marker this version does not know.
   */
  record Key(KeyId id, String keyring, String purpose, String provider, String masterKeyId,
      byte[] wrapped, Instant createdAt, Instant retiredAt, boolean active,
      WrapContext wrapContext) {

    /**
     * The context its wrap is bound to, as its row says, as the key ring reads it
     * ({@link StoredKey#context()}).
     *
     * @throws IllegalArgumentException for a purpose or a wrap context Veil does not know
     */
    KeyContext context() {
      if (wrapContext == null) {
        throw new IllegalArgumentException("key " + id + " has a wrap_context this version of"
            + " Veil does not know; the row was altered, or written by a newer Veil");
      }
      return new StoredKey(id, keyring, KeyPurpose.ofSqlName(purpose), wrapped, provider,
          masterKeyId, createdAt, wrapContext).context();
    }
  }

  private final String table;

  KeyTable(String table) {
    String t = table.toLowerCase(Locale.ROOT);
    if (!IDENTIFIER.matcher(t).matches()) {
      throw new IllegalArgumentException("veil.keys.table=" + table
          + " is not a plain lower-case [schema.]table name");
    }
    this.table = t;
  }

  String name() {
    return table;
  }

  /** Every key, oldest first; empty when the table does not exist yet. */
  List<Key> all(Connection c) throws SQLException {
    List<Key> keys = new ArrayList<>();
    // wrap_context through the row's JSON form: null (key id only) in a table made before it.
    try (PreparedStatement ps = c.prepareStatement("SELECT key_id, keyring, purpose, provider,"
        + " master_key_id, wrapped_key, created_at, retired_at, active,"
        + " to_jsonb(k) ->> 'wrap_context' FROM " + table + " k ORDER BY created_at, key_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Timestamp retired = rs.getTimestamp(8);
        keys.add(new Key(KeyId.of(rs.getObject(1, UUID.class)), rs.getString(2),
            rs.getString(3), rs.getString(4), rs.getString(5), rs.getBytes(6),
            rs.getTimestamp(7).toInstant(), retired == null ? null : retired.toInstant(),
            rs.getBoolean(9), wrapContext(rs.getString(10))));
      }
    } catch (SQLException e) {
      if (ServerState.UNDEFINED_TABLE.matches(e)) {
        if (!c.getAutoCommit()) {
          c.rollback();
        }
        return keys;
      }
      throw e;
    }
    return keys;
  }

  private static WrapContext wrapContext(String stored) {
    if (stored == null) {
      return WrapContext.KEY_ID_ONLY;
    }
    try {
      return WrapContext.ofCode(Integer.parseInt(stored));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Adds {@code wrap_context} to a table made before it, as the key store does
   * ({@link PostgresBranchKeyStore#addWrapContextColumn}); commits on its own, so that the
   * {@code ALTER TABLE} lock is not held through a longer transaction.
   */
  void addWrapContextColumn(Connection c) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(true);
    try {
      PostgresBranchKeyStore.addWrapContextColumn(c, table);
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /**
   * Replaces a key's wrap, now bound to {@code wrapContext}, only if the row still holds the
   * wrap, keyring and purpose that {@code key} read (compare-and-set): the new wrap binds those.
   *
   * @return whether the row was updated
   */
  boolean rewrap(Connection c, Key key, byte[] newWrapped, String provider, String masterKeyId,
      WrapContext wrapContext) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET wrapped_key = ?,"
        + " provider = ?, master_key_id = ?, wrap_context = ? WHERE key_id = ?"
        + " AND wrapped_key = ? AND keyring = ? AND purpose = ?")) {
      ps.setBytes(1, newWrapped);
      ps.setString(2, provider);
      ps.setString(3, masterKeyId);
      ps.setShort(4, (short) wrapContext.code());
      ps.setObject(5, key.id().toUuid());
      ps.setBytes(6, key.wrapped());
      ps.setString(7, key.keyring());
      ps.setString(8, key.purpose());
      return ps.executeUpdate() == 1;
    }
  }
}
