package org.veil.tools;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.veil.crypto.CellCodec;
import org.veil.keys.KeyHierarchy;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/**
 * {@code decrypt-column}: opens the cells of encrypted columns back into plaintext, to leave
 * Veil or to undo a mistaken {@code encrypt-existing}. Online and resumable like it. With
 * {@code --convert-to-text} the bytea columns among them end up text columns of plaintext, of the
 * type they had before {@code encrypt-existing --convert-to-bytea} ({@link ByteaConversion},
 * {@link ByteaConversion.Direction#TO_TEXT}).
 */
@Command(name = "decrypt-column", mixinStandardHelpOptions = true,
    description = {"Turn the cells of encrypted columns back into plaintext, online.",
        "Run the application with veil.plaintextReads=allow while it runs, and remove the"
            + " columns from veil.columns once it has finished. The columns' database-side"
            + " guards are dropped first. A text column gets each value's"
            + " text form; a bytea column the bytes (text values as UTF-8), or with"
            + " --convert-to-text becomes a text column of the values' text forms."})
final class DecryptColumn extends TableCommand {

  @ArgGroup(validate = false, heading = "%nConverting bytea columns back to text:%n")
  ConversionOptions.ToText conversion = new ConversionOptions.ToText();

  @Override
  String command() {
    return "decrypt-column";
  }

  @Override
  String leftOver(TableTarget target) {
    return LeftOver.cells(target.columns());
  }

  @Override
  String jobSuffix() {
    return conversion.convertToText ? " convert-to-text" : "";
  }

  @Override
  CellRewrite rewrite(KeyHierarchy keys, TableTarget target, Connection pg) {
    conversion.limits();
    return CellRewrite.decrypt(keys.codec(), target.columns(), LOG);
  }

  /** Drops the columns' database-side guards first: they would refuse the plaintext. */
  @Override
  CellRewrite.Tally run(Database db, CellCodec codec, TableTarget target, CellRewrite rewrite)
      throws Exception {
    if (!job.dryRun) {
      TableGuards guards = new TableGuards(target.schema(), target.table(), target.columns(),
          TableGuards.steps(target.schema(), target.table(), conversion.lockTimeoutMillis,
              conversion.lockAttempts, log), log);
      List<String> dropped;
      try {
        dropped = guards.remove(db);
      } catch (SQLException e) {
        if (!TableGuards.NOT_OWNER.equals(e.getSQLState())) {
          throw e;
        }
        throw new SQLException("the database-side guards of " + target.qualifiedName()
            + " would refuse the plaintext, and this role cannot drop them (" + e.getMessage()
            + "): run veil guard remove --table " + target.qualifiedName() + " as the table's"
            + " owner first. Nothing was changed.", e.getSQLState(), e);
      }
      if (!dropped.isEmpty()) {
        log.println("dropped the guards " + dropped + " of " + target.qualifiedName()
            + ", which would refuse the plaintext");
      }
    }
    return conversion.convertToText ? convert(db, codec) : super.run(db, codec, target, rewrite);
  }

  /**
   * The conversion of the bytea columns back to text, as encrypt-existing's to bytea: shadow,
   * trigger, the job, the swap, and on request the kept-aside columns dropped. Text columns
   * among the columns are decrypted in place by the same job.
   */
  private CellRewrite.Tally convert(Database db, CellCodec codec) throws Exception {
    ConversionOptions limits = conversion.limits();
    JobTable jobs = new JobTable(job.jobTable);
    org.veil.config.EncryptedColumns encrypted = connection.veilConfig().columns();
    ByteaConversion convert = ByteaConversion.read(db, pg -> TableTarget.resolve(pg,
        encrypted, table, columns), jobs,
        ByteaConversion.Direction.TO_TEXT, limits, log);
    TableTarget target = convert.target();
    if (job.dryRun) {
      convert.check(db);
      try (Connection pg = db.open()) {
        log.println("conversion to text of " + target + ":");
        convert.describe(pg).forEach(line -> log.println("  " + line));
      }
    }
    if (!convert.converts()) {
      log.println("no bytea column of " + target.qualifiedName() + " left to convert to text");
    }
    if (job.dryRun || !convert.converts()) {
      // Nothing left to convert: what is left is decrypted in place, as without the option.
      CellRewrite.Tally tally = super.run(db, codec, target,
          CellRewrite.decrypt(codec, target.columns(), LOG));
      if (limits.dropOld && !job.dryRun) {
        convert.dropKeptAside(db);
      }
      return tally;
    }
    String name = jobName(target);
    if (convert.prepare(db, name)) {
      TableJob worker = worker(db, convert.shadowedTarget(), convert.rewrite(codec, LOG));
      worker.run(name, command(), convert.leftOver());
      if (worker.tally().failed > 0) {
        log.println("the bytea columns of " + target.qualifiedName() + " were not swapped for"
            + " text: " + worker.tally().failed + " values could not be opened into text and"
            + " were left as they are (see the warnings); fix those rows and run the same"
            + " command again with --restart");
        return worker.tally();
      }
      convert.swap(db, worker);
      log.println("this worker: " + worker.tally());
      if (limits.dropOld) {
        convert.dropKeptAside(db);
      }
      return worker.tally();
    }
    if (limits.dropOld) {
      convert.dropKeptAside(db); // another worker swapped the columns meanwhile
    }
    return new CellRewrite.Tally();
  }
}
