package org.veil.tools;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.veil.crypto.CellCodec;
import org.veil.keys.KeyHierarchy;
import picocli.CommandLine.Command;

/**
 * {@code decrypt-column}: opens the cells of encrypted columns back into plaintext, to leave
 * Veil or to undo a mistaken {@code encrypt-existing}. Online and resumable like it.
 */
@Command(name = "decrypt-column", mixinStandardHelpOptions = true,
    description = {"Turn the cells of encrypted columns back into plaintext, online.",
        "Run the application with veil.plaintextReads=allow while it runs, and remove the"
            + " columns from veil.columns once it has finished. The columns' database-side"
            + " guards are dropped first. A text column gets each value's"
            + " text form; a bytea column the bytes (text values as UTF-8)."})
final class DecryptColumn extends TableCommand {

  @Override
  String command() {
    return "decrypt-column";
  }

  @Override
  String leftOver(TableTarget target) {
    return LeftOver.cells(target.columns());
  }

  @Override
  CellRewrite rewrite(KeyHierarchy keys, TableTarget target, Connection pg) {
    return CellRewrite.decrypt(keys.codec(), target.columns(), LOG);
  }

  /** Drops the columns' database-side guards first: they would refuse the plaintext. */
  @Override
  CellRewrite.Tally run(Database db, CellCodec codec, TableTarget target, CellRewrite rewrite)
      throws Exception {
    if (!job.dryRun) {
      TableGuards guards = new TableGuards(target.schema(), target.table(), target.columns(),
          TableGuards.steps(target.schema(), target.table(), 1000, 10, log), log);
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
    return super.run(db, codec, target, rewrite);
  }
}
