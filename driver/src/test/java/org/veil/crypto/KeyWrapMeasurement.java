package org.veil.crypto;

import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The measurement behind the choice of AES-GCM over AES-KW for wrapping row keys (recorded in
 * docs/FORMAT.md). Run: {@code java -cp driver/target/test-classes org.veil.crypto.KeyWrapMeasurement}.
 * A quick single-threaded loop with warm-up, not a JMH benchmark: it compares orders of magnitude.
 */
public final class KeyWrapMeasurement {

  public static void main(String[] args) throws Exception {
    SecureRandom random = new SecureRandom();
    byte[] kek = new byte[32];
    byte[] dek = new byte[32];
    random.nextBytes(kek);
    random.nextBytes(dek);
    SecretKeySpec kekSpec = new SecretKeySpec(kek, "AES");
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;

    Cipher kw = Cipher.getInstance("AESWrap_256");
    kw.init(Cipher.WRAP_MODE, kekSpec);
    byte[] kwWrapped = kw.wrap(new SecretKeySpec(dek, "AES"));
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    byte[] iv = new byte[12];
    random.nextBytes(iv);
    gcm.init(Cipher.ENCRYPT_MODE, kekSpec, new GCMParameterSpec(128, iv));
    byte[] gcmWrapped = gcm.doFinal(dek);

    for (int round = 0; round < 3; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        Cipher.getInstance("AES/GCM/NoPadding");
      }
      long t1 = System.nanoTime();
      long sink = 0;
      for (int i = 0; i < n; i++) {
        kw.init(Cipher.UNWRAP_MODE, kekSpec);
        sink += kw.unwrap(kwWrapped, "AES", Cipher.SECRET_KEY).getEncoded()[0];
      }
      long t2 = System.nanoTime();
      byte[] out = new byte[32];
      for (int i = 0; i < n; i++) {
        gcm.init(Cipher.DECRYPT_MODE, kekSpec, new GCMParameterSpec(128, iv));
        gcm.doFinal(gcmWrapped, 0, gcmWrapped.length, out, 0);
        sink += out[0];
      }
      long t3 = System.nanoTime();
      byte[] wrapIv = iv.clone();
      for (int i = 0; i < n; i++) {
        random.nextBytes(wrapIv); // same cost as the GCM loop's IV, for a fair comparison
        kw.init(Cipher.WRAP_MODE, kekSpec);
        sink += kw.wrap(new SecretKeySpec(dek, "AES"))[0];
      }
      long t4 = System.nanoTime();
      byte[] wrapOut = new byte[48];
      for (int i = 0; i < n; i++) {
        random.nextBytes(wrapIv); // a fresh IV per wrap, as sealing does
        gcm.init(Cipher.ENCRYPT_MODE, kekSpec, new GCMParameterSpec(128, wrapIv));
        gcm.doFinal(dek, 0, 32, wrapOut, 0);
        sink += wrapOut[0];
      }
      long t5 = System.nanoTime();
      System.out.printf("round %d (n=%d): Cipher.getInstance %.2f us; unwrap AES-KW %.2f us,"
          + " AES-GCM %.2f us; wrap AES-KW %.2f us, AES-GCM %.2f us (sink %d)%n", round, n,
          (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n, (t3 - t2) / 1e3 / n, (t4 - t3) / 1e3 / n,
          (t5 - t4) / 1e3 / n, sink);
    }
  }
}
