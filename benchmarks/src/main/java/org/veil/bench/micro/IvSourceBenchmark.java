package org.veil.bench.micro;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of drawing one 96-bit GCM IV, which {@link AesGcmFloorBenchmark#seal} includes: on
 * Linux the default {@code SecureRandom} (NativePRNG) mixes in bytes read from
 * {@code /dev/urandom} under a lock, while {@code DRBG} (SP 800-90A) is seeded once and runs in
 * the JVM. Tells how much of a small seal is the IV, and what choosing the source would save.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IvSourceBenchmark {

  /** {@code default} is {@code new SecureRandom()}; others are {@code SecureRandom.getInstance}. */
  @Param({"default", "DRBG"})
  public String source;

  private SecureRandom random;

  @Setup
  public void setUp() throws NoSuchAlgorithmException {
    random = source.equals("default") ? new SecureRandom() : SecureRandom.getInstance(source);
    random.nextBytes(new byte[12]);
  }

  @Benchmark
  public byte[] twelveBytes() {
    byte[] iv = new byte[12];
    random.nextBytes(iv);
    return iv;
  }
}
