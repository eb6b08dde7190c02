package org.veil.tools;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * How a job shows its progress: a progress bar with rate and ETA on a terminal, plain log lines
 * (one every few seconds) otherwise: when the output is redirected or {@code CI} is set. Used by
 * one thread.
 */
abstract class Progress implements AutoCloseable {

  /** {@code --progress}: auto picks the bar on a terminal outside CI, else log lines. */
  enum Mode { AUTO, BAR, LOG, NONE }

  static Progress start(Mode mode, String task, long total, long initial, PrintStream log) {
    Mode chosen = mode;
    if (mode == Mode.AUTO) {
      boolean terminal = System.console() != null;
      String ci = System.getenv("CI");
      chosen = terminal && (ci == null || ci.isEmpty() || "false".equalsIgnoreCase(ci))
          ? Mode.BAR : Mode.LOG;
    }
    switch (chosen) {
      case BAR:
        return new Bar(task, total, initial);
      case LOG:
        return new Lines(task, total, initial, log, Duration.ofSeconds(5));
      default:
        return new Progress() {
          @Override
          void step(long rows) {}

          @Override
          public void close() {}
        };
    }
  }

  /** {@code rows} more rows handled. */
  abstract void step(long rows);

  @Override
  public abstract void close();

  private static final class Bar extends Progress {
    private final ProgressBar bar;

    Bar(String task, long total, long initial) {
      this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(total, 1))
          .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" rows", 1).showSpeed()
          .startsFrom(Math.min(initial, Math.max(total, 1)), Duration.ZERO)
          .setUpdateIntervalMillis(250).build();
    }

    @Override
    void step(long rows) {
      if (bar.getCurrent() + rows > bar.getMax()) {
        bar.maxHint(bar.getCurrent() + rows); // rows inserted since the job was planned
      }
      bar.stepBy(rows);
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  private static final class Lines extends Progress {
    private final String task;
    private final long total;
    private final PrintStream out;
    private final long everyNanos;
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;
    private long done;
    private long mine;

    Lines(String task, long total, long initial, PrintStream out, Duration every) {
      this.task = task;
      this.total = total;
      this.done = initial;
      this.out = out;
      this.everyNanos = every.toNanos();
    }

    @Override
    void step(long rows) {
      done += rows;
      mine += rows;
      long now = System.nanoTime();
      if (now - lastNanos >= everyNanos) {
        lastNanos = now;
        print(now);
      }
    }

    private void print(long now) {
      double seconds = Math.max((now - startNanos) / 1e9, 1e-3);
      double rate = mine / seconds;
      String eta = rate > 0 && total > done
          ? ", ETA " + Duration.ofSeconds((long) ((total - done) / rate)).toString()
              .substring(2).toLowerCase(Locale.ROOT) : "";
      out.printf(Locale.ROOT, "%s: %d/%d rows (%.0f%%), %.0f rows/s%s%n", task, done, total,
          total == 0 ? 100.0 : Math.min(100.0, 100.0 * done / total), rate, eta);
      out.flush();
    }

    @Override
    public void close() {
      print(System.nanoTime());
    }
  }
}
