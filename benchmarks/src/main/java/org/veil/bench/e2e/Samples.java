package org.veil.bench.e2e;

import java.util.Arrays;

/**
 * The measured (not warm-up) operation times of one contender on one workload, and the bytes
 * the harness thread allocated during them (negative when the JVM cannot count them).
 */
final class Samples {

  private long[] nanos = new long[1024];
  private int count;
  private long totalNanos;
  private long rows;
  private long allocatedBytes;

  /** @param operationBytes bytes this thread allocated in the operation, or -1 if unknown */
  void add(long operationNanos, int operationRows, long operationBytes) {
    if (count == nanos.length) {
      nanos = Arrays.copyOf(nanos, count * 2);
    }
    nanos[count++] = operationNanos;
    totalNanos += operationNanos;
    rows += operationRows;
    allocatedBytes = operationBytes < 0 || allocatedBytes < 0 ? -1
        : allocatedBytes + operationBytes;
  }

  Summary summary() {
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    double rowsPerSecond = totalNanos == 0 ? 0 : rows / (totalNanos / 1e9);
    double bytesPerRow = allocatedBytes < 0 || rows == 0 ? Double.NaN
        : (double) allocatedBytes / rows;
    return new Summary(count, rows, rowsPerSecond, percentile(sorted, 0.50),
        percentile(sorted, 0.99), bytesPerRow);
  }

  /** Nearest-rank percentile; with few operations p99 is simply the slowest. */
  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /**
   * @param operations measured operations
   * @param rows rows written or read by them
   * @param rowsPerSecond rows over the summed operation time (untimed set-up excluded)
   * @param p50Nanos median operation latency
   * @param p99Nanos 99th percentile operation latency
   * @param bytesPerRow bytes the harness thread allocated per row in the measured operations
   *     (statement, driver, decryption and the harness's own reads; not other threads'), NaN
   *     when the JVM does not count allocation per thread
   */
  record Summary(int operations, long rows, double rowsPerSecond, long p50Nanos, long p99Nanos,
      double bytesPerRow) {}
}
