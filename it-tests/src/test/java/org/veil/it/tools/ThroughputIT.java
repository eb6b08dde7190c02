package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Measures encrypt-existing on a large table, as a separate process like in production. Runs
 * only when asked: {@code -Dveil.tools.throughputRows=1000000} (and {@code -Dveil.tools.workers}
 * for more than one worker process).
 */
class ThroughputIT {

  @Test
  void encryptExistingRowsPerSecond() throws Exception {
    String rowsSetting = System.getProperty("veil.tools.throughputRows");
    assumeTrue(rowsSetting != null, "set -Dveil.tools.throughputRows to measure");
    int rows = Integer.parseInt(rowsSetting);
    int workers = Integer.getInteger("veil.tools.workers", 1);
    ToolFixture fx = new ToolFixture("tool_big.secret", "tools-big");
    fx.exec("DROP TABLE IF EXISTS tool_big",
        "CREATE TABLE tool_big (id bigint PRIMARY KEY, secret text, n int)",
        "INSERT INTO tool_big SELECT g, 'secret ' || g || ' ' || md5(g::text), g"
            + " FROM generate_series(1, " + rows + ") g",
        "VACUUM ANALYZE tool_big",
        "DROP TABLE IF EXISTS tool_big_jobs, tool_big_jobs_ranges, tool_big_jobs_progress");
    Path out = Files.createTempFile("veil-throughput", ".log");
    long start = System.nanoTime();
    Process[] p = new Process[workers];
    for (int w = 0; w < workers; w++) {
      p[w] = fx.start(out, "encrypt-existing", "--table", "tool_big", "--job-table",
          "tool_big_jobs", "--batch-size", "1000", "--range-rows", "50000");
    }
    for (Process process : p) {
      assertThat(process.waitFor(30, TimeUnit.MINUTES)).isTrue();
      assertThat(process.exitValue()).as(Files.readString(out)).isZero();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("THROUGHPUT encrypt-existing: %d rows, %d worker(s), %.1f s wall (JVM"
        + " start included), %.0f rows/s%n", rows, workers, seconds, rows / seconds);
    System.out.println(Files.readString(out));
  }
}
