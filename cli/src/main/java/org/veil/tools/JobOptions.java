package org.veil.tools;

import picocli.CommandLine.Option;

/** The options every data job shares: batching, pacing, the job table and the worker name. */
final class JobOptions {

  @Option(names = "--dry-run", description = "Walk the table and report what would change;"
      + " write nothing (no job state either).")
  boolean dryRun;

  @Option(names = "--batch-size", defaultValue = "1000", paramLabel = "ROWS",
      description = "Rows per batch; each batch is one transaction (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--rate", defaultValue = "0", paramLabel = "ROWS_PER_SECOND",
      description = "At most this many rows a second per worker; 0 = unlimited (default).")
  long rowsPerSecond;

  @Option(names = "--range-rows", defaultValue = "20000", paramLabel = "ROWS",
      description = "Rows per leased range when the job is planned (default: ${DEFAULT-VALUE}).")
  int rangeRows;

  @Option(names = "--job", paramLabel = "NAME", description = "The job's name in the job"
      + " table (default: derived from the command, table and columns, so running the same"
      + " command again resumes it).")
  String job;

  @Option(names = "--restart", description = "Run a job again that finished before (its"
      + " ranges are planned anew). An unfinished job always resumes.")
  boolean restart;

  @Option(names = "--job-table", defaultValue = "veil_jobs", paramLabel = "TABLE",
      description = "Table (and prefix of its _ranges and _progress tables) holding job state"
          + " (default: ${DEFAULT-VALUE}).")
  String jobTable;

  @Option(names = "--worker", paramLabel = "NAME", description = "This worker's name in the job"
      + " table (default: host:pid).")
  String worker = defaultWorker();

  @Option(names = "--progress", defaultValue = "auto", paramLabel = "MODE",
      description = "auto (a bar on a terminal, log lines otherwise or when CI is set), bar,"
          + " log or none (default: ${DEFAULT-VALUE}).")
  String progressName;

  Progress.Mode progress = Progress.Mode.AUTO;

  void check() {
    if (batchSize < 1 || rangeRows < 1 || rowsPerSecond < 0) {
      throw new IllegalArgumentException("--batch-size and --range-rows must be at least 1,"
          + " --rate at least 0");
    }
    progress = Progress.Mode.valueOf(progressName.toUpperCase(java.util.Locale.ROOT));
  }

  private static String defaultWorker() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "localhost";
    }
    return host + ":" + ProcessHandle.current().pid();
  }
}
