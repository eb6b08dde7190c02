package org.veil.bench.micro;

import com.google.crypto.tink.subtle.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.veil.crypto.BranchKey;
import org.veil.crypto.CryptoInternals;
import org.veil.crypto.KeyId;
import org.veil.crypto.KeyPurpose;

/**
 * What deriving one row key costs: format version 3's derivation (SP 800-108 counter mode with
 * AES-256-CMAC, three AES blocks on an {@code AES/ECB} cipher that stays keyed by the branch
 * key, {@code org.veil.crypto.RowKeyKdf}) beside HKDF-SHA256 of 32 bytes, the alternative
 * docs/FORMAT.md weighs it against.
 *
 * <ul>
 *   <li>{@link #rowKeyKdf}: Veil's derivation, as a thread of the codec runs it;</li>
 *   <li>{@link #hkdfTink}: Tink's {@code Hkdf.computeHkdf("HMACSHA256", branch key, nonce,
 *       label, 32)}, which gets and keys its {@code Mac} on every call, as a per-row call of it
 *       would;</li>
 *   <li>{@link #hkdfReusedMac}: the same HKDF written against one reused {@code Mac} (extract,
 *       then one expand block: two {@code Mac.init} and two HMACs), the least an HKDF per row
 *       can cost on the JDK.</li>
 * </ul>
 *
 * Every operation derives from another nonce (a counter in the nonce's last bytes), as rows do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KdfBenchmark {

  private static final byte[] LABEL = "veil row key".getBytes(StandardCharsets.US_ASCII);
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 16;

  private BranchKey branch;
  private byte[] branchBytes;
  private CryptoInternals.RowKeys rowKeys;
  private Mac hmac;
  private final byte[] nonce = new byte[NONCE_BYTES];
  private final byte[] rowKey = new byte[KEY_BYTES];
  private final byte[] prk = new byte[KEY_BYTES];
  private long counter;

  @Setup
  public void setUp() throws GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    branchBytes = new byte[KEY_BYTES];
    random.nextBytes(branchBytes);
    random.nextBytes(nonce);
    branch = BranchKey.of(KeyId.random(random), KeyPurpose.BRANCH, branchBytes);
    rowKeys = CryptoInternals.rowKeys();
    hmac = Mac.getInstance("HmacSHA256");
    rowKeys.derive(branch, nonce, 0, rowKey);
  }

  @Benchmark
  public byte[] rowKeyKdf() throws GeneralSecurityException {
    nextNonce();
    rowKeys.derive(branch, nonce, 0, rowKey);
    return rowKey;
  }

  @Benchmark
  public byte[] hkdfTink() throws GeneralSecurityException {
    nextNonce();
    return Hkdf.computeHkdf("HMACSHA256", branchBytes, nonce, LABEL, KEY_BYTES);
  }

  @Benchmark
  public byte[] hkdfReusedMac() throws GeneralSecurityException {
    nextNonce();
    try {
      // RFC 5869: PRK = HMAC(salt = nonce, IKM = branch key); OKM = HMAC(PRK, info || 0x01).
      hmac.init(new SecretKeySpec(nonce, "HmacSHA256"));
      hmac.update(branchBytes);
      hmac.doFinal(prk, 0);
      hmac.init(new SecretKeySpec(prk, "HmacSHA256"));
      hmac.update(LABEL);
      hmac.update((byte) 1);
      hmac.doFinal(rowKey, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    return rowKey;
  }

  private void nextNonce() {
    long c = ++counter;
    for (int i = 0; i < 8; i++) {
      nonce[NONCE_BYTES - 1 - i] = (byte) (c >>> (8 * i));
    }
  }
}
