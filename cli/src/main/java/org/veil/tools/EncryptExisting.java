package org.veil.tools;

import java.sql.Connection;
import java.sql.SQLException;
import org.veil.crypto.CellCodec;
import org.veil.keys.KeyHierarchy;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code encrypt-existing}: seals the plaintext values of encrypted columns, so a table that
 * held data before Veil was configured ends up holding only cells. Values that are cells
 * already are left as they are, so the job can run while the application writes (through
 * Veil, which seals) and can be run again at any time. With {@code --convert-to-bytea} the text
 * columns among them end up bytea ({@link ByteaConversion}). Once every value is sealed, the
 * columns get their database-side guards ({@link TableGuards}), unless {@code --no-guard}.
 */
@Command(name = "encrypt-existing", mixinStandardHelpOptions = true,
    description = {"Seal the plaintext values of encrypted columns into Veil cells, online.",
        "Text columns get veil:<base64> cells holding text values; bytea columns get cells"
            + " holding bytes. Run the application with veil.plaintextReads=allow until this"
            + " job has finished.", "When every value is sealed, the columns get their"
            + " database-side guards (as veil guard add), so that the database refuses plaintext"
            + " from then on; --no-guard leaves them out."})
final class EncryptExisting extends TableCommand {

  @ArgGroup(validate = false, heading = "%nConverting text columns to bytea:%n")
  ConversionOptions conversion = new ConversionOptions();

  @Option(names = "--no-guard", description = "Do not add the database-side guards (veil guard"
      + " add) once every value is sealed.")
  boolean noGuard;

  @Override
  String command() {
    return "encrypt-existing";
  }

  @Override
  String jobSuffix() {
    return conversion.convertToBytea ? " convert-to-bytea" : "";
  }

  @Override
  String leftOver(TableTarget target) {
    return LeftOver.plaintext(target.columns());
  }

  @Override
  CellRewrite rewrite(KeyHierarchy keys, TableTarget target, Connection pg) {
    CellCodec codec = keys.codec();
    conversion.check();
    return CellRewrite.encryptPlaintext(codec, target.columns(), LOG);
  }

  @Override
  CellRewrite.Tally run(Database db, CellCodec codec, TableTarget target, CellRewrite rewrite)
      throws Exception {
    CellRewrite.Tally tally = seal(db, codec, target, rewrite);
    if (!job.dryRun && !noGuard && tally.failed > 0) {
      // Values left plaintext (in rows whose binding column is NULL) would fail the guards.
      log.println("the database-side guards of " + target.qualifiedName() + " were not added: "
          + tally.failed + " values could not be sealed and were left as they are (see the"
          + " warnings); fix those rows and run the same command again with --restart");
    } else if (!job.dryRun && !noGuard) {
      guard(db, codec, target);
    }
    return tally;
  }

  /**
   * Adds and validates the guards of the columns, now that every value is sealed. Values that a
   * writer without Veil stored after the job had passed their rows are sealed first; the
   * columns' forms are read again, since a conversion may have made them bytea.
   */
  private void guard(Database db, CellCodec codec, TableTarget sealed) throws Exception {
    TableTarget now;
    try (Connection pg = db.open()) {
      now = TableTarget.resolve(pg, connection.veilConfig().columns(), sealed.qualifiedName(),
          columns);
    }
    TableGuards guards = new TableGuards(now.schema(), now.table(), now.columns(),
        TableGuards.steps(now.schema(), now.table(), conversion.lockTimeoutMillis,
            conversion.lockAttempts, log), log);
    TableJob sealer = worker(db, now, CellRewrite.encryptPlaintext(codec, now.columns(), LOG));
    try {
      guards.addAndValidate(db, sealer::catchUp, conversion.lockAttempts);
    } catch (SQLException e) {
      if (!TableGuards.NOT_OWNER.equals(e.getSQLState())) {
        throw e;
      }
      throw new SQLException("every value of " + now.qualifiedName() + " is sealed, but its"
          + " database-side guards could not be added: " + e.getMessage() + ". Run veil guard"
          + " add --table " + now.qualifiedName() + " as the table's owner, or give --no-guard.",
          e.getSQLState(), e);
    }
  }

  private CellRewrite.Tally seal(Database db, CellCodec codec, TableTarget target,
      CellRewrite rewrite) throws Exception {
    if (!conversion.convertToBytea) {
      return super.run(db, codec, target, rewrite);
    }
    JobTable jobs = new JobTable(job.jobTable);
    org.veil.config.EncryptedColumns encrypted = connection.veilConfig().columns();
    // The table's columns and the conversion's record, read again in one snapshot: another
    // worker may have swapped columns since the command resolved the table.
    ByteaConversion convert = ByteaConversion.read(db, pg -> TableTarget.resolve(pg,
        encrypted, table, columns), jobs,
        ByteaConversion.Direction.TO_BYTEA, conversion, log);
    target = convert.target();
    rewrite = CellRewrite.encryptPlaintext(codec, target.columns(), LOG);
    if (job.dryRun) {
      convert.check(db);
      try (Connection pg = db.open()) {
        log.println("conversion to bytea of " + target + ":");
        convert.describe(pg).forEach(line -> log.println("  " + line));
      }
    }
    if (!convert.converts()) {
      log.println("no text column of " + target.qualifiedName() + " left to convert to bytea");
    }
    if (job.dryRun || !convert.converts()) {
      // Nothing left to convert: the columns are sealed in place, as without the option.
      CellRewrite.Tally tally = super.run(db, codec, target, rewrite);
      if (conversion.dropOld && !job.dryRun) {
        convert.dropKeptAside(db);
      }
      return tally;
    }
    String name = jobName(target);
    tableChanged = true; // from here on the conversion is recorded and resumes
    if (!convert.prepare(db, name)) {
      // Another worker converted the columns meanwhile (prepare's checks refuse the rest).
      if (conversion.dropOld) {
        convert.dropKeptAside(db);
      }
      return new CellRewrite.Tally();
    }
    TableTarget shadowed = convert.shadowedTarget();
    TableJob worker = worker(db, shadowed, convert.rewrite(codec, LOG));
    worker.run(name, command(), convert.leftOver());
    if (worker.tally().failed > 0) {
      // The rows left plaintext have no bytea value: swapping now would move them aside.
      log.println("the text columns of " + target.qualifiedName() + " were not swapped for"
          + " bytea: " + worker.tally().failed + " values could not be sealed and were left as"
          + " they are (see the warnings); fix those rows and run the same command again with"
          + " --restart");
      return worker.tally();
    }
    convert.swap(db, worker);
    log.println("this worker: " + worker.tally());
    if (conversion.dropOld) {
      convert.dropKeptAside(db);
    }
    return worker.tally();
  }
}
