package org.veil.metrics;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import org.veil.error.VeilError;

/** One {@link LongAdder} per {@link VeilError}, made once. Thread-safe. */
final class RefusalCounters {

  private final LongAdder[] counts = new LongAdder[VeilError.values().length];

  RefusalCounters() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  void refused(VeilError reason) {
    counts[reason.ordinal()].increment();
  }

  long count(VeilError reason) {
    return counts[reason.ordinal()].sum();
  }

  /** The reason's tag value: the constant's name in lower case ({@code plaintext_refused}). */
  static String tag(VeilError reason) {
    return reason.name().toLowerCase(Locale.ROOT);
  }
}
