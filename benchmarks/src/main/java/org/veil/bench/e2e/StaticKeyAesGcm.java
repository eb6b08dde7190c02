package org.veil.bench.e2e;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The floor for any client-side encryption: the application itself seals each protected value
 * with AES-256-GCM under one static key, with one reused {@link Cipher} per direction and a
 * random 96-bit IV, and stores {@code IV || ciphertext || tag} in a {@code bytea} column. No
 * key hierarchy, no cell header, no SQL analysis: whatever Veil adds over this is Veil's cost.
 *
 * <p>Randomized, so it cannot serve {@code WHERE email = ?}. Not thread-safe.
 */
public final class StaticKeyAesGcm implements Contender {

  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecureRandom random = new SecureRandom();
  private final SecretKeySpec key;
  private final Cipher sealer;
  private final Cipher opener;

  public StaticKeyAesGcm() {
    byte[] keyBytes = new byte[32];
    random.nextBytes(keyBytes);
    key = new SecretKeySpec(keyBytes, "AES");
    try {
      sealer = Cipher.getInstance("AES/GCM/NoPadding");
      opener = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no AES/GCM/NoPadding", e);
    }
  }

  @Override
  public String id() {
    return "aesgcm";
  }

  @Override
  public String description() {
    return "hand-written AES-256-GCM in the application: one static key, reused Cipher, "
        + "random IV, IV||ciphertext||tag in bytea (the client-side floor)";
  }

  @Override
  public Connection connect(Target target) throws SQLException {
    return target.server().plainConnection();
  }

  @Override
  public String protectedColumnType(ProtectedColumn column) {
    return "bytea";
  }

  @Override
  public void bind(PreparedStatement statement, int index, ProtectedColumn column, String value)
      throws SQLException {
    statement.setBytes(index, seal(value.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public String read(ResultSet result, int index, ProtectedColumn column) throws SQLException {
    byte[] cell = result.getBytes(index);
    return cell == null ? null : new String(open(cell), StandardCharsets.UTF_8);
  }

  @Override
  public boolean canLookUpByEquality() {
    return false;
  }

  @Override
  public boolean storesCiphertext() {
    return true;
  }

  private byte[] seal(byte[] plaintext) throws SQLException {
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      sealer.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      ByteBuffer cell = ByteBuffer.allocate(IV_BYTES + sealer.getOutputSize(plaintext.length));
      cell.put(iv);
      sealer.doFinal(ByteBuffer.wrap(plaintext), cell);
      return cell.array();
    } catch (GeneralSecurityException e) {
      throw new SQLException("AES-GCM seal failed", e);
    }
  }

  private byte[] open(byte[] cell) throws SQLException {
    try {
      opener.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, cell, 0, IV_BYTES));
      return opener.doFinal(cell, IV_BYTES, cell.length - IV_BYTES);
    } catch (GeneralSecurityException e) {
      throw new SQLException("AES-GCM open failed: the cell is not one this key sealed", e);
    }
  }
}
