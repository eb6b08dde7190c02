package org.veil.tools;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import org.veil.crypto.CellShape;
import org.veil.crypto.KeyId;
import org.veil.jdbc.CellGuard;
import org.veil.tools.TableTarget.Column;
import org.veil.catalog.StorageForm;

/**
 * SQL over a table's columns that is true for a row still holding work for a job: what a
 * finished job checks, with one count on the server, before it says it is done. Each predicate
 * is the guards' own test of "a cell" ({@link CellGuard}), so the check and the guards agree.
 * Stateless; every method returns SQL text and does no I/O.
 */
final class LeftOver {

  private LeftOver() {}

  /** encrypt-existing: a value in one of {@code columns} that is neither NULL nor a cell. */
  static String plaintext(List<Column> columns) {
    List<String> terms = new ArrayList<>();
    for (Column c : columns) {
      terms.add("NOT (" + CellGuard.predicate(TableTarget.quote(c.name()), binary(c)) + ")");
    }
    return or(terms);
  }

  /** decrypt-column: a cell in one of {@code columns}. */
  static String cells(List<Column> columns) {
    List<String> terms = new ArrayList<>();
    for (Column c : columns) {
      terms.add("(" + CellGuard.shape(TableTarget.quote(c.name()), binary(c)) + ")");
    }
    return or(terms);
  }

  /**
   * rotate-branch: a cell in one of {@code columns} whose header names one of {@code keys}. Key
   * ids are unique across the key store, so a branch key's id names no other kind of key.
   */
  static String underKeys(List<Column> columns, Collection<KeyId> keys) {
    if (keys.isEmpty()) {
      return "false";
    }
    List<String> ids = new ArrayList<>();
    for (KeyId id : keys) {
      ids.add("'\\x" + HexFormat.of().formatHex(id.toBytes()) + "'::bytea");
    }
    String in = " IN (" + String.join(", ", ids) + ")";
    int from = CellShape.keyIdOffset() + 1;
    List<String> terms = new ArrayList<>();
    for (Column c : columns) {
      String col = TableTarget.quote(c.name());
      String bytes = binary(c) ? col : "pg_catalog.decode(pg_catalog.substr(" + col + ", "
          + (CellShape.textPrefix().length() + 1) + "), 'base64')";
      // The shape first: only a value of a cell's shape is decoded and looked into.
      terms.add("(CASE WHEN " + CellGuard.shape(col, binary(c)) + " THEN pg_catalog.substr("
          + bytes + ", " + from + ", " + KeyId.LENGTH + ")" + in + " END)");
    }
    return or(terms);
  }

  private static boolean binary(Column c) {
    return c.form() == StorageForm.BINARY;
  }

  private static String or(List<String> terms) {
    return terms.isEmpty() ? "false" : String.join(" OR ", terms);
  }
}
