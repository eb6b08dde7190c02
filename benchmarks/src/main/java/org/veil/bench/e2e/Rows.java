package org.veil.bench.e2e;

import java.sql.Timestamp;
import java.util.SplittableRandom;

/**
 * The benchmark's row values, made once so no workload times their making: row {@code id} has a
 * 20-byte e-mail address (unique among {@link #distinct} consecutive ids), a 200-byte note of
 * lower-case words, an amount and a timestamp.
 */
final class Rows {

  static final int EMAIL_BYTES = 20;
  static final int NOTE_BYTES = 200;
  private static final long EPOCH_MILLIS = 1_700_000_000_000L;

  private final int distinct;
  private final String[] emails;
  private final String[] notes;

  Rows(int distinct) {
    this.distinct = distinct;
    emails = new String[distinct];
    notes = new String[distinct];
    SplittableRandom random = new SplittableRandom(20240607L);
    char[] note = new char[NOTE_BYTES];
    for (int i = 0; i < distinct; i++) {
      emails[i] = String.format("u%07d@example.org", i);
      for (int c = 0; c < NOTE_BYTES; c++) {
        int r = random.nextInt(27);
        note[c] = r == 26 ? ' ' : (char) ('a' + r);
      }
      notes[i] = new String(note);
    }
  }

  String email(long id) {
    return emails[slot(id)];
  }

  String note(long id) {
    return notes[slot(id)];
  }

  long amount(long id) {
    return id * 7 % 1_000_003;
  }

  Timestamp createdAt(long id) {
    return new Timestamp(EPOCH_MILLIS + id * 1000);
  }

  private int slot(long id) {
    return (int) Math.floorMod(id, (long) distinct);
  }
}
