package org.veil.tools;

import java.sql.Connection;
import org.veil.crypto.CellCodec;
import picocli.CommandLine.Command;

/**
 * {@code encrypt-existing}: seals the plaintext values of encrypted columns, so a table that
 * held data before Veil was configured ends up holding only cells. Values that are cells
 * already are left as they are, so the job can run while the application writes (through
 * Veil, which seals) and can be run again at any time.
 */
@Command(name = "encrypt-existing", mixinStandardHelpOptions = true,
    description = {"Seal the plaintext values of encrypted columns into Veil cells, online.",
        "Text columns get veil:<base64> cells holding text values; bytea columns get cells"
            + " holding bytes. Run the application with veil.plaintextReads=allow until this"
            + " job has finished."})
final class EncryptExisting extends TableCommand {

  @Override
  String command() {
    return "encrypt-existing";
  }

  @Override
  CellRewrite rewrite(CellCodec codec, TableTarget target, Connection pg) {
    return CellRewrite.encryptPlaintext(codec, target.columns());
  }
}
