package org.veil.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;

/**
 * Derives a version 3 cell's row key from the branch key and the row's nonce: NIST SP 800-108r1
 * key derivation in counter mode with AES-256-CMAC (NIST SP 800-38B, RFC 4493 for AES-128) as the
 * PRF, a 256-bit output (two PRF blocks), an 8-bit counter after the fixed input data:
 *
 * <pre>
 * K(i) = CMAC(branch key, "veil row key" || 0x00 || nonce (16 bytes) || [256]_16 || [i]_8)
 * row key = K(1) || K(2)
 * </pre>
 *
 * Each PRF input is exactly two AES blocks and the first block is the same for both, so a
 * derivation costs three AES block encryptions on one {@code AES/ECB} cipher that stays keyed by
 * the branch key. docs/FORMAT.md says why this KDF and not HKDF.
 *
 * <p>One per thread (it keeps scratch buffers and the branch key's CMAC subkey); not
 * thread-safe. It holds key-derived bytes: never printed, cleared when rekeyed.
 */
final class RowKeyKdf {

  /** The label: twelve ASCII bytes, so that label, separator and nonce start fill one block. */
  static final byte[] LABEL = "veil row key".getBytes(StandardCharsets.US_ASCII);
  private static final int BLOCK = 16;

  private final Cipher ecb;
  private BranchKey keyedWith;
  private final byte[] k1 = new byte[BLOCK];
  private final byte[] first = new byte[BLOCK];
  private final byte[] blocks = new byte[2 * BLOCK];

  RowKeyKdf(Cipher ecb) {
    this.ecb = ecb;
  }

  /**
   * Writes the 32-byte row key for the nonce at {@code nonce[nonceAt, nonceAt + 16)} under
   * {@code branch} into {@code rowKey[0, 32)}.
   */
  void derive(BranchKey branch, byte[] nonce, int nonceAt, byte[] rowKey)
      throws GeneralSecurityException {
    if (keyedWith != branch) {
      rekey(branch);
    }
    // Block 1: label || 0x00 || nonce[0, 3), the same for K(1) and K(2).
    System.arraycopy(LABEL, 0, first, 0, LABEL.length);
    first[LABEL.length] = 0;
    System.arraycopy(nonce, nonceAt, first, LABEL.length + 1, BLOCK - LABEL.length - 1);
    encrypt(first, 0, BLOCK, first);
    // Block 2 of K(i): nonce[3, 16) || 0x01 0x00 || i, complete, so CMAC XORs in K1.
    int rest = CellFormat.NONCE - (BLOCK - LABEL.length - 1); // 13
    for (int i = 0; i < 2; i++) {
      int at = i * BLOCK;
      System.arraycopy(nonce, nonceAt + CellFormat.NONCE - rest, blocks, at, rest);
      blocks[at + rest] = 0x01;
      blocks[at + rest + 1] = 0x00;
      blocks[at + rest + 2] = (byte) (i + 1);
      for (int j = 0; j < BLOCK; j++) {
        blocks[at + j] ^= (byte) (first[j] ^ k1[j]);
      }
    }
    encrypt(blocks, 0, 2 * BLOCK, rowKey);
    Arrays.fill(first, (byte) 0);
    Arrays.fill(blocks, (byte) 0);
  }

  private void encrypt(byte[] in, int from, int length, byte[] out)
      throws GeneralSecurityException {
    try {
      ecb.doFinal(in, from, length, out, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keys the cipher with {@code branch} and computes CMAC's subkey K1 = dbl(AES(key, 0^128)). */
  private void rekey(BranchKey branch) throws GeneralSecurityException {
    keyedWith = null;
    ecb.init(Cipher.ENCRYPT_MODE, branch.secretKey());
    byte[] l = new byte[BLOCK];
    encrypt(l, 0, BLOCK, l);
    int carry = (l[0] & 0x80) != 0 ? 0x87 : 0;
    for (int i = 0; i < BLOCK - 1; i++) {
      k1[i] = (byte) ((l[i] << 1) | ((l[i + 1] & 0xff) >>> 7));
    }
    k1[BLOCK - 1] = (byte) ((l[BLOCK - 1] << 1) ^ carry);
    Arrays.fill(l, (byte) 0);
    keyedWith = branch;
  }

  @Override
  public String toString() {
    return "RowKeyKdf[" + (keyedWith == null ? "unkeyed" : keyedWith.id()) + "]";
  }
}
