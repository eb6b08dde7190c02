package org.veil.tools;

import java.sql.Connection;
import org.veil.crypto.CellCodec;
import picocli.CommandLine.Command;

/**
 * {@code decrypt-column}: opens the cells of encrypted columns back into plaintext, to leave
 * Veil or to undo a mistaken {@code encrypt-existing}. Online and resumable like it.
 */
@Command(name = "decrypt-column", mixinStandardHelpOptions = true,
    description = {"Turn the cells of encrypted columns back into plaintext, online.",
        "Run the application with veil.plaintextReads=allow while it runs, and remove the"
            + " columns from veil.columns once it has finished. A text column gets each value's"
            + " text form; a bytea column the bytes (text values as UTF-8)."})
final class DecryptColumn extends TableCommand {

  @Override
  String command() {
    return "decrypt-column";
  }

  @Override
  CellRewrite rewrite(CellCodec codec, TableTarget target, Connection pg) {
    return CellRewrite.decrypt(codec, target.columns(), LOG);
  }
}
