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

/**
 * The rows of {@code veil_keys} ({@code veil.keys.table}) as the tools see them: the key store
 * itself ({@code org.veil.keys.PostgresBranchKeyStore}) answers for one key at a time, the
 * tools list them and re-wrap them. Holds only wrapped keys.
 */
final class KeyTable {

  private static final Pattern IDENTIFIER =
      Pattern.compile("([a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*");

  /** One stored key; {@code wrapped} is the master key's blob, never a plaintext key. */
  record Key(KeyId id, String keyring, String purpose, String provider, String masterKeyId,
      byte[] wrapped, Instant createdAt, Instant retiredAt, boolean active) {}

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
    try (PreparedStatement ps = c.prepareStatement("SELECT key_id, keyring, purpose, provider,"
        + " master_key_id, wrapped_key, created_at, retired_at, active FROM " + table
        + " ORDER BY created_at, key_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Timestamp retired = rs.getTimestamp(8);
        keys.add(new Key(KeyId.of(rs.getObject(1, UUID.class)), rs.getString(2),
            rs.getString(3), rs.getString(4), rs.getString(5), rs.getBytes(6),
            rs.getTimestamp(7).toInstant(), retired == null ? null : retired.toInstant(),
            rs.getBoolean(9)));
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

  /**
   * Replaces a key's wrap, only if it still holds {@code oldWrapped} (compare-and-set).
   *
   * @return whether the row was updated
   */
  boolean rewrap(Connection c, Key key, byte[] newWrapped, String provider, String masterKeyId)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET wrapped_key = ?,"
        + " provider = ?, master_key_id = ? WHERE key_id = ? AND wrapped_key = ?")) {
      ps.setBytes(1, newWrapped);
      ps.setString(2, provider);
      ps.setString(3, masterKeyId);
      ps.setObject(4, key.id().toUuid());
      ps.setBytes(5, key.wrapped());
      return ps.executeUpdate() == 1;
    }
  }
}
