package org.veil.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Format v3 computed from docs/FORMAT.md's rules alone, with plain JCE (AES-ECB, AES-GCM) and
 * nothing of Veil's: AES-CMAC as SP 800-38B defines it, the SP 800-108r1 counter-mode KDF, and
 * the cell layouts. The vectors in FORMAT.md come from here; the codec must agree with them.
 */
final class ReferenceV3 {

  private ReferenceV3() {}

  static byte[] cmac(byte[] key, byte[] message) throws Exception {
    Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
    aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
    byte[] k1 = dbl(aes.doFinal(new byte[16]));
    byte[] k2 = dbl(k1);
    int blocks = Math.max(1, (message.length + 15) / 16);
    boolean complete = message.length > 0 && message.length % 16 == 0;
    byte[] last = new byte[16];
    int lastAt = (blocks - 1) * 16;
    int lastLength = message.length - lastAt;
    System.arraycopy(message, lastAt, last, 0, lastLength);
    if (!complete) {
      last[lastLength] = (byte) 0x80;
    }
    byte[] sub = complete ? k1 : k2;
    for (int i = 0; i < 16; i++) {
      last[i] ^= sub[i];
    }
    byte[] x = new byte[16];
    for (int b = 0; b < blocks - 1; b++) {
      for (int i = 0; i < 16; i++) {
        x[i] ^= message[b * 16 + i];
      }
      x = aes.doFinal(x);
    }
    for (int i = 0; i < 16; i++) {
      x[i] ^= last[i];
    }
    return aes.doFinal(x);
  }

  private static byte[] dbl(byte[] in) {
    byte[] out = new byte[16];
    for (int i = 0; i < 15; i++) {
      out[i] = (byte) ((in[i] << 1) | ((in[i + 1] & 0xff) >>> 7));
    }
    out[15] = (byte) (in[15] << 1);
    if ((in[0] & 0x80) != 0) {
      out[15] ^= (byte) 0x87;
    }
    return out;
  }

  /** The fixed input data: "veil row key" || 0x00 || nonce || [256]_16. */
  static byte[] fixedInput(byte[] nonce) {
    return concat("veil row key".getBytes(StandardCharsets.US_ASCII), new byte[] {0}, nonce,
        new byte[] {0x01, 0x00});
  }

  /** K(1) || K(2), K(i) = CMAC(branch key, fixed input || [i]_8). */
  static byte[] rowKey(byte[] branchKey, byte[] nonce) throws Exception {
    byte[] fixed = fixedInput(nonce);
    return concat(cmac(branchKey, concat(fixed, new byte[] {1})),
        cmac(branchKey, concat(fixed, new byte[] {2})));
  }

  static byte[] gcm(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    c.updateAAD(aad);
    return c.doFinal(plaintext);
  }

  /** Value associated data: 56 4c 03 00 type || [len]_16 context || ([len]_32 binding). */
  static byte[] valueAad(int type, String context, byte[] binding) {
    byte[] ctx = context.getBytes(StandardCharsets.UTF_8);
    byte[] aad = concat(new byte[] {0x56, 0x4c, 3, 0, (byte) type},
        new byte[] {(byte) (ctx.length >>> 8), (byte) ctx.length}, ctx);
    if (binding == null) {
      return aad;
    }
    int n = binding.length;
    return concat(aad, new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8),
        (byte) n}, binding);
  }

  /** A v3 kind 0 cell: header, key id, nonce, IV = 8 zero bytes || [position]_32, value. */
  static byte[] derivedCell(KeyId branchId, byte[] branchKey, byte[] nonce, int position,
      int type, byte[] value, String context, byte[] binding) throws Exception {
    byte[] iv = new byte[12];
    iv[8] = (byte) (position >>> 24);
    iv[9] = (byte) (position >>> 16);
    iv[10] = (byte) (position >>> 8);
    iv[11] = (byte) position;
    return concat(new byte[] {0x56, 0x4c, 3, 0, (byte) type}, branchId.toBytes(), nonce, iv,
        gcm(rowKey(branchKey, nonce), iv, valueAad(type, context, binding), value));
  }

  /** A v3 kind 3 cell: the row key wrapped under another branch key, the payload unchanged. */
  static byte[] rewrappedCell(byte[] derivedCell, byte[] oldBranchKey, KeyId newId,
      byte[] newBranchKey, byte[] wrapIv) throws Exception {
    byte[] nonce = Arrays.copyOfRange(derivedCell, 21, 37);
    byte[] rowKey = rowKey(oldBranchKey, nonce);
    byte[] wrapAad = concat(new byte[] {0x56, 0x4c, 3, 3}, newId.toBytes());
    byte[] wrapped = gcm(newBranchKey, wrapIv, wrapAad, rowKey);
    return concat(new byte[] {0x56, 0x4c, 3, 3, derivedCell[4]}, newId.toBytes(), wrapIv, wrapped,
        Arrays.copyOfRange(derivedCell, 37, derivedCell.length));
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
