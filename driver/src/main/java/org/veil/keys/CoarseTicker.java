package org.veil.keys;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A clock for the key caches that costs a volatile read: one daemon thread per JVM
 * ({@code veil-coarse-clock}) copies {@link System#nanoTime()} into a field every
 * {@link #RESOLUTION_NANOS}, so the per-row key lookups (Caffeine's expiry and refresh checks,
 * the active key's reuse window) never call into the OS clock. Key lifetimes are minutes; a
 * resolution of milliseconds changes none of them. Tests inject their own {@link Ticker}.
 *
 * <p>Thread-safe. The thread starts on first use and never stops; it holds no key and no state
 * other than the time.
 */
public final class CoarseTicker implements Ticker {

  /** How stale {@link #read()} may be, at most (plus scheduling delay under load). */
  static final long RESOLUTION_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private static final CoarseTicker INSTANCE = new CoarseTicker();

  private volatile long now = System.nanoTime();

  private CoarseTicker() {
    Thread clock = new Thread(this::run, "veil-coarse-clock");
    clock.setDaemon(true);
    clock.start();
  }

  /** The JVM's coarse clock. */
  public static CoarseTicker instance() {
    return INSTANCE;
  }

  private void run() {
    while (true) {
      LockSupport.parkNanos(RESOLUTION_NANOS);
      now = System.nanoTime();
    }
  }

  @Override
  public long read() {
    return now;
  }

  @Override
  public String toString() {
    return "CoarseTicker[" + TimeUnit.NANOSECONDS.toMillis(RESOLUTION_NANOS) + " ms]";
  }
}
