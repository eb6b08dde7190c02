package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.subtle.AesSiv;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Known-answer tests for the primitives a cell is made of. */
class KnownAnswerTest {

  private static final HexFormat HEX = HexFormat.of();

  /** NIST / McGrew-Viega GCM spec, test case 16: AES-256, 96-bit IV, AAD. */
  @Test
  void aesGcm256MatchesNistTestCase16() throws Exception {
    byte[] key = HEX.parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    byte[] iv = HEX.parseHex("cafebabefacedbaddecaf888");
    byte[] aad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    byte[] plaintext = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    String expected = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        + "76fc6ece0f4e1768cddf8853bb2d551b";
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    gcm.updateAAD(aad);
    assertThat(HEX.formatHex(gcm.doFinal(plaintext))).isEqualTo(expected);
  }

  /** The row key wrap is AES-256-GCM of a 32-byte key; its vector is pinned in FORMAT.md too. */
  @Test
  void rowKeyWrapIsAesGcmOfTheKeyUnderTheBranchKey() throws Exception {
    byte[] branch = CellFormatVectorsTest.range(0x00, 32);
    byte[] dek = CellFormatVectorsTest.range(0x20, 32);
    byte[] iv = CellFormatVectorsTest.range(0x40, 12);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(branch, "AES"), new GCMParameterSpec(128, iv));
    gcm.updateAAD(HEX.parseHex("564c0100" + "00112233445566778899aabbccddeeff"));
    byte[] wrapped = gcm.doFinal(dek);
    assertThat(wrapped).hasSize(48);
    assertThat(HEX.formatHex(iv) + HEX.formatHex(wrapped))
        .isEqualTo(CellFormatVectorsTest.vector("wrapped-row-key"));
  }

  /** RFC 5297 appendix A.1, through the reference S2V/SIV below. */
  @Test
  void referenceAesSivMatchesRfc5297A1() throws Exception {
    byte[] key = HEX.parseHex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    byte[] ad = HEX.parseHex("101112131415161718191a1b1c1d1e1f2021222324252627");
    byte[] plaintext = HEX.parseHex("112233445566778899aabbccddee");
    assertThat(HEX.formatHex(referenceSiv(key, ad, plaintext)))
        .isEqualTo("85632d07c6e8f37f950acd320a2ecc93" + "40c02b9690c4dc04daef7f6afe5c");
  }

  /**
   * Tink 1.19's AES-SIV accepts only 64-byte keys (AES-256-SIV), and RFC 5297's vectors use
   * 32-byte keys; so Tink is checked against the reference implementation that passes A.1.
   */
  @Test
  void tinkAesSiv512AgreesWithTheRfc5297Reference() throws Exception {
    SecureRandom random = new SecureRandom();
    for (int length : new int[] {0, 1, 15, 16, 17, 100}) {
      byte[] key = new byte[64];
      byte[] ad = new byte[37];
      byte[] plaintext = new byte[length];
      random.nextBytes(key);
      random.nextBytes(ad);
      random.nextBytes(plaintext);
      assertThat(new AesSiv(key).encryptDeterministically(plaintext, ad))
          .isEqualTo(referenceSiv(key, ad, plaintext));
    }
  }

  // RFC 5297 section 2: SIV-AES with one associated data string; test code only.
  static byte[] referenceSiv(byte[] key, byte[] ad, byte[] plaintext) throws Exception {
    int half = key.length / 2;
    SecretKeySpec macKey = new SecretKeySpec(key, 0, half, "AES");
    SecretKeySpec ctrKey = new SecretKeySpec(key, half, half, "AES");
    byte[] d = cmac(macKey, new byte[16]);
    d = xor(dbl(d), cmac(macKey, ad));
    byte[] t;
    if (plaintext.length >= 16) {
      t = plaintext.clone();
      for (int i = 0; i < 16; i++) {
        t[t.length - 16 + i] ^= d[i];
      }
    } else {
      byte[] padded = new byte[16];
      System.arraycopy(plaintext, 0, padded, 0, plaintext.length);
      padded[plaintext.length] = (byte) 0x80;
      t = xor(dbl(d), padded);
    }
    byte[] v = cmac(macKey, t);
    byte[] q = v.clone();
    q[8] &= 0x7f;
    q[12] &= 0x7f;
    Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
    ctr.init(Cipher.ENCRYPT_MODE, ctrKey, new IvParameterSpec(q));
    byte[] c = ctr.doFinal(plaintext);
    byte[] out = new byte[16 + c.length];
    System.arraycopy(v, 0, out, 0, 16);
    System.arraycopy(c, 0, out, 16, c.length);
    return out;
  }

  private static byte[] cmac(SecretKeySpec key, byte[] message) throws Exception {
    Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
    aes.init(Cipher.ENCRYPT_MODE, key);
    byte[] k1 = dbl(aes.doFinal(new byte[16]));
    byte[] k2 = dbl(k1);
    int blocks = Math.max(1, (message.length + 15) / 16);
    boolean complete = message.length > 0 && message.length % 16 == 0;
    byte[] last = new byte[16];
    int lastStart = (blocks - 1) * 16;
    System.arraycopy(message, lastStart, last, 0, message.length - lastStart);
    if (complete) {
      last = xor(last, k1);
    } else {
      last[message.length - lastStart] = (byte) 0x80;
      last = xor(last, k2);
    }
    byte[] x = new byte[16];
    for (int b = 0; b < blocks - 1; b++) {
      byte[] block = new byte[16];
      System.arraycopy(message, b * 16, block, 0, 16);
      x = aes.doFinal(xor(x, block));
    }
    return aes.doFinal(xor(x, last));
  }

  private static byte[] dbl(byte[] in) {
    byte[] out = new byte[16];
    for (int i = 0; i < 16; i++) {
      out[i] = (byte) ((in[i] << 1) | (i < 15 ? (in[i + 1] & 0xff) >>> 7 : 0));
    }
    if ((in[0] & 0x80) != 0) {
      out[15] ^= (byte) 0x87;
    }
    return out;
  }

  private static byte[] xor(byte[] a, byte[] b) {
    byte[] out = new byte[16];
    for (int i = 0; i < 16; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }
}
