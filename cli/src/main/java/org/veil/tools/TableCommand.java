package org.veil.tools;

import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.veil.config.VeilConfig;
import org.veil.crypto.CellCodec;
import org.veil.keys.KeyHierarchy;
import org.veil.error.VeilException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What the data jobs share: the table and columns, connecting, the job loop and the summary. */
abstract class TableCommand implements Callable<Integer> {

  protected static final System.Logger LOG = System.getLogger("org.veil.tools");

  @Mixin
  ConnectionOptions connection = new ConnectionOptions();

  @ArgGroup(validate = false, heading = "%nJob options:%n")
  JobOptions job = new JobOptions();

  @Option(names = "--table", required = true, paramLabel = "[SCHEMA.]TABLE",
      description = "The table to work on.")
  String table;

  @Option(names = "--columns", split = ",", paramLabel = "COLUMN",
      description = "Encrypted columns to work on (default: every column veil.columns"
          + " configures for the table).")
  List<String> columns = new ArrayList<>();

  PrintStream log = System.err;

  /** The workers this command made; see {@link #jobStarted()}. */
  private final List<TableJob> workers = new ArrayList<>();
  /** Set once this command changed the table for a job (a conversion's shadow columns). */
  boolean tableChanged;

  /** The subcommand's name, as in job names and messages. */
  abstract String command();

  /** Extra words that make the job's default name unique (e.g. the retired key ids). */
  String jobSuffix() {
    return "";
  }

  /**
   * SQL over the table's columns, true for a row that still holds work for this command; a
   * finished job counts these rows before it says it is done ({@link LeftOver}). Called after
   * {@link #rewrite}.
   */
  abstract String leftOver(TableTarget target);

  /**
   * Whether a job of this command really ran (planned or leased ranges, or changed the table
   * for one), so that after a failure the same command resumes it.
   */
  boolean jobStarted() {
    return tableChanged || workers.stream().anyMatch(TableJob::started);
  }

  /** What to do to each row; called once the codec and table are known. */
  abstract CellRewrite rewrite(KeyHierarchy keys, TableTarget target, Connection pg)
      throws SQLException, GeneralSecurityException, VeilException;

  @Override
  public Integer call() throws Exception {
    job.check();
    Database db = connection.database();
    VeilConfig veil = connection.veilConfig();
    try (KeyHierarchy keys = connection.keys(veil, db, job.dryRun)) {
      TableTarget target;
      CellRewrite rewrite;
      try (Connection pg = db.open()) {
        target = TableTarget.resolve(pg, veil.columns(), table, columns);
        rewrite = rewrite(keys, target, pg);
      }
      CellRewrite.Tally tally = run(db, keys.codec(), target, rewrite);
      if (job.dryRun) {
        // The dry run sealed with keys it kept in memory; a real run stores them first.
        keys.wouldCreate().forEach(k -> log.println("a real run would first create the "
            + k + " in the key store"));
      }
      return tally.failed > 0 ? Veil.CELLS_FAILED : Veil.DONE;
    }
  }

  /** Runs the job that applies {@code rewrite} to every row of {@code target}, or its dry run. */
  CellRewrite.Tally run(Database db, CellCodec codec, TableTarget target, CellRewrite rewrite)
      throws Exception {
    TableJob worker = worker(db, target, rewrite);
    if (job.dryRun) {
      worker.dryRun();
      log.println("dry run of " + command() + " on " + target + ": " + worker.tally()
          + "; nothing was written");
    } else {
      worker.run(jobName(target), command(), leftOver(target));
      log.println("this worker: " + worker.tally());
    }
    return worker.tally();
  }

  TableJob worker(Database db, TableTarget target, CellRewrite rewrite) {
    TableJob worker = new TableJob(db, new JobTable(job.jobTable), target, rewrite, job, log);
    workers.add(worker);
    return worker;
  }

  /** The job's name: {@code --job}, or one derived from the command, table and columns. */
  String jobName(TableTarget target) {
    return job.job != null ? job.job : defaultJobName(target);
  }

  String defaultJobName(TableTarget target) {
    List<String> names = new ArrayList<>();
    target.columns().forEach(c -> names.add(c.policy().column()));
    return command() + " " + target.qualifiedName() + " " + String.join(",", names)
        + jobSuffix();
  }
}
