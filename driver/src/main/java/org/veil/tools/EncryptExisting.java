package org.veil.tools;

import java.sql.Connection;
import org.veil.crypto.CellCodec;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/**
 * {@code encrypt-existing}: seals the plaintext values of encrypted columns, so a table that
 * held data before Veil was configured ends up holding only cells. Values that are cells
 * already are left as they are, so the job can run while the application writes (through
 * Veil, which seals) and can be run again at any time. With {@code --convert-to-bytea} the text
 * columns among them end up bytea ({@link ByteaConversion}).
 */
@Command(name = "encrypt-existing", mixinStandardHelpOptions = true,
    description = {"Seal the plaintext values of encrypted columns into Veil cells, online.",
        "Text columns get veil:<base64> cells holding text values; bytea columns get cells"
            + " holding bytes. Run the application with veil.plaintextReads=allow until this"
            + " job has finished."})
final class EncryptExisting extends TableCommand {

  @ArgGroup(validate = false, heading = "%nConverting text columns to bytea:%n")
  ConversionOptions conversion = new ConversionOptions();

  @Override
  String command() {
    return "encrypt-existing";
  }

  @Override
  String jobSuffix() {
    return conversion.convertToBytea ? " convert-to-bytea" : "";
  }

  @Override
  CellRewrite rewrite(CellCodec codec, TableTarget target, Connection pg) {
    conversion.check();
    return CellRewrite.encryptPlaintext(codec, target.columns());
  }

  @Override
  CellRewrite.Tally run(Database db, CellCodec codec, TableTarget target, CellRewrite rewrite)
      throws Exception {
    if (!conversion.convertToBytea) {
      return super.run(db, codec, target, rewrite);
    }
    JobTable jobs = new JobTable(job.jobTable);
    ByteaConversion convert;
    try (Connection pg = db.open()) {
      convert = ByteaConversion.of(pg, target, jobs, conversion, log, true);
      convert.check(pg);
      if (job.dryRun) {
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
    if (!convert.prepare(db, name)) {
      return new CellRewrite.Tally(); // another worker converted the columns meanwhile
    }
    TableJob worker = worker(db, convert.shadowedTarget(), convert.rewrite(codec));
    worker.run(name, command());
    convert.swap(db, worker);
    log.println("this worker: " + worker.tally());
    if (conversion.dropOld) {
      convert.dropKeptAside(db);
    }
    return worker.tally();
  }
}
