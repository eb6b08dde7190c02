package org.veil.bench.micro;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The floor for any AES-GCM column encryption on this hardware: raw JDK AES-256-GCM with one
 * static key and one reused {@link Cipher} per direction, no framing, no key hierarchy.
 *
 * <p>Each seal draws a fresh 96-bit IV from a reused {@link SecureRandom}, because a randomized
 * scheme must (a JDK GCM cipher also refuses to encrypt twice under one key and IV), so the
 * floor includes what Veil's cell codec cannot avoid. Veil's seal/open of the same sizes, once
 * the cell codec exists, is compared with {@link #sealThenOpen}: the target is within 2x at 64 B.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AesGcmFloorBenchmark {

  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  @Param({"16", "64", "256", "4096"})
  public int size;

  private final SecureRandom random = new SecureRandom();
  private SecretKeySpec key;
  private Cipher sealer;
  private Cipher opener;
  private byte[] plaintext;
  private byte[] sealedIv;
  private byte[] sealedCiphertext;

  @Setup
  public void setUp() throws GeneralSecurityException {
    byte[] keyBytes = new byte[32];
    random.nextBytes(keyBytes);
    key = new SecretKeySpec(keyBytes, "AES");
    sealer = Cipher.getInstance("AES/GCM/NoPadding");
    opener = Cipher.getInstance("AES/GCM/NoPadding");
    plaintext = new byte[size];
    random.nextBytes(plaintext);
    sealedIv = new byte[IV_BYTES];
    random.nextBytes(sealedIv);
    sealer.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealedIv));
    sealedCiphertext = sealer.doFinal(plaintext);
  }

  /** Encrypts one value under a fresh random IV; returns the ciphertext and tag. */
  @Benchmark
  public byte[] seal() throws GeneralSecurityException {
    return sealValue(plaintext);
  }

  /** Decrypts and authenticates one value sealed in setup. */
  @Benchmark
  public byte[] open() throws GeneralSecurityException {
    opener.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealedIv));
    return opener.doFinal(sealedCiphertext);
  }

  /** A write followed by a read of the same value: the unit the 2x target is stated in. */
  @Benchmark
  public byte[] sealThenOpen() throws GeneralSecurityException {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    sealer.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
    byte[] ciphertext = sealer.doFinal(plaintext);
    opener.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
    return opener.doFinal(ciphertext);
  }

  private byte[] sealValue(byte[] value) throws GeneralSecurityException {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    sealer.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
    return sealer.doFinal(value);
  }
}
