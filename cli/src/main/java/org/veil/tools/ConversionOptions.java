package org.veil.tools;

import picocli.CommandLine.Option;

/**
 * encrypt-existing's options for converting text columns to bytea on the way, and
 * ({@link ToText}) decrypt-column's for converting them back. Set by picocli, then read only.
 */
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
    checkLimits();
  }

  private void checkLimits() {
    if (lockTimeoutMillis < 1 || lockAttempts < 1) {
      throw new IllegalArgumentException("--lock-timeout and --lock-attempts must be at"
          + " least 1");
    }
  }

  /** decrypt-column's options for converting bytea columns back to text on the way. */
  static final class ToText {

    @Option(names = "--convert-to-text", description = "Also convert the bytea columns among"
        + " the columns back to text (the type they had before encrypt-existing"
        + " --convert-to-bytea, else text), online: a text shadow column kept in step by a"
        + " trigger, filled with the plaintext by the job, then swapped in for the bytea column"
        + " in one short transaction. The bytea column is kept as <column>__veil_cells until"
        + " --drop-old (see docs/RUNBOOK.md).")
    boolean convertToText;

    @Option(names = "--drop-old", description = "With --convert-to-text: drop the kept-aside"
        + " <column>__veil_cells columns once the swap is done (in this run or a later one).")
    boolean dropOld;

    @Option(names = "--lock-timeout", defaultValue = "1000", paramLabel = "MILLISECONDS",
        description = "How long each schema change (dropping the guards; with"
            + " --convert-to-text adding the shadow column, the swap, dropping the old column)"
            + " waits for its table lock before it gives way to the application and is tried"
            + " again (default: ${DEFAULT-VALUE}).")
    int lockTimeoutMillis;

    @Option(names = "--lock-attempts", defaultValue = "10", paramLabel = "N",
        description = "How many times a schema change is tried before the run stops (default:"
            + " ${DEFAULT-VALUE}).")
    int lockAttempts;

    /** The limits of the schema changes, as the conversion takes them; checked. */
    ConversionOptions limits() {
      if (dropOld && !convertToText) {
        throw new IllegalArgumentException("--drop-old goes with --convert-to-text");
      }
      ConversionOptions limits = new ConversionOptions();
      limits.dropOld = dropOld;
      limits.lockTimeoutMillis = lockTimeoutMillis;
      limits.lockAttempts = lockAttempts;
      limits.checkLimits();
      return limits;
    }
  }
}
