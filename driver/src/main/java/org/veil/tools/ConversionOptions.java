package org.veil.tools;

import picocli.CommandLine.Option;

/** encrypt-existing's options for converting text columns to bytea on the way. */
final class ConversionOptions {

  @Option(names = "--convert-to-bytea", description = "Also convert the text columns among the"
      + " columns to bytea, online: a bytea shadow column kept in step by a trigger, filled by"
      + " the job, then swapped in for the text column in one short transaction. The text"
      + " column is kept as <column>__veil_text until --drop-old (see docs/RUNBOOK.md).")
  boolean convertToBytea;

  @Option(names = "--drop-old", description = "With --convert-to-bytea: drop the kept-aside"
      + " <column>__veil_text columns once the swap is done (in this run or a later one).")
  boolean dropOld;

  @Option(names = "--lock-timeout", defaultValue = "1000", paramLabel = "MILLISECONDS",
      description = "How long each schema change (adding the guards; with --convert-to-bytea"
          + " adding the shadow column, the swap, dropping the old column) waits for its table"
          + " lock before it gives way to the application and is tried again (default:"
          + " ${DEFAULT-VALUE}).")
  int lockTimeoutMillis;

  @Option(names = "--lock-attempts", defaultValue = "10", paramLabel = "N",
      description = "How many times a schema change is tried before the run stops (default:"
          + " ${DEFAULT-VALUE}).")
  int lockAttempts;

  void check() {
    if (dropOld && !convertToBytea) {
      throw new IllegalArgumentException("--drop-old goes with --convert-to-bytea");
    }
    if (lockTimeoutMillis < 1 || lockAttempts < 1) {
      throw new IllegalArgumentException("--lock-timeout and --lock-attempts must be at"
          + " least 1");
    }
  }
}
