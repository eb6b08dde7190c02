package org.veil.jdbc;

import java.sql.BatchUpdateException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.veil.config.ColumnPolicy;
import org.veil.crypto.CellShape;
import org.veil.error.ServerState;
import org.veil.error.VeilError;
import org.veil.sql.StatementPlan;

/**
 * The cells one prepared statement has bound in text form ({@code veil:} + base64), by parameter,
 * kept so that the statement can bind them again as bytes when the server refuses them because
 * their column has been converted from text to bytea since the column catalog was read
 * ({@code veil encrypt-existing --convert-to-bytea}). A cell's bytes are the same in both forms,
 * so binding it again needs no key. What is kept is the text form that pgjdbc holds to send
 * anyway, not the cell's bytes, which would hold a large value once more; those are decoded
 * again only to bind them as bytes. Statements that bind no text cell never create one. Not
 * thread-safe, like the statement.
 */
final class TextBindings {

  /**
   * What the server answers a text value where it wants bytea: 42804 datatype_mismatch for an
   * assignment (INSERT, UPDATE … SET), 42883 undefined_function for a comparison (there is no
   * operator bytea = text).
   */
  private static final List<ServerState> REFUSALS =
      List.of(ServerState.DATATYPE_MISMATCH, ServerState.UNDEFINED_FUNCTION);

  /** Stands for SQL NULL bound as text; told from every text form by identity. */
  private static final String NULL = new String();

  private String[] cells = new String[4];
  private int bound;

  /** Parameter {@code index} holds the cell whose text form is {@code cell} (null: SQL NULL). */
  void bound(int index, String cell) {
    if (index >= cells.length) {
      cells = Arrays.copyOf(cells, Math.max(index + 1, cells.length * 2));
    }
    if (cells[index] == null) {
      bound++;
    }
    cells[index] = cell == null ? NULL : cell;
  }

  /** Parameter {@code index} was bound again, not in text form. */
  void unbound(int index) {
    if (index < cells.length && cells[index] != null) {
      cells[index] = null;
      bound--;
    }
  }

  void clear() {
    Arrays.fill(cells, null);
    bound = 0;
  }

  boolean isEmpty() {
    return bound == 0;
  }

  /** The columns whose cells are bound in text form. */
  Set<ColumnPolicy> columns(StatementPlan plan) {
    Set<ColumnPolicy> columns = new LinkedHashSet<>();
    for (int i = 1; i < cells.length; i++) {
      if (cells[i] != null) {
        columns.add(plan.parameter(i));
      }
    }
    return columns;
  }

  /** Binds the cells of the {@code converted} columns again, as bytes. */
  void rebindAsBytes(PreparedStatement pg, StatementPlan plan, Set<ColumnPolicy> converted)
      throws SQLException {
    for (int i = 1; i < cells.length; i++) {
      if (cells[i] != null && converted.contains(plan.parameter(i))) {
        if (cells[i] == NULL) {
          pg.setNull(i, Types.BINARY);
        } else {
          pg.setObject(i, new CellWriter(CellShape.fromText(cells[i])));
        }
        unbound(i);
      }
    }
  }

  /**
   * Whether {@code failure} may be the server refusing a text value for a bytea column: then
   * the catalog is worth reading again. Looks at a batch's first failed statement too.
   */
  static boolean mayBeRefusedText(SQLException failure) {
    if (isRefusal(failure)) {
      return true;
    }
    return failure instanceof BatchUpdateException && failure.getNextException() != null
        && isRefusal(failure.getNextException());
  }

  private static boolean isRefusal(SQLException e) {
    for (ServerState refusal : REFUSALS) {
      if (refusal.matches(e)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The error for a statement whose text cells the server refused because their columns were
   * converted to bytea meanwhile, when it cannot simply be run again: inside a transaction
   * (which the failure aborted), or a batch. The server's error is its cause.
   */
  static SQLException converted(Set<ColumnPolicy> columns, SQLException failure,
      boolean batch) {
    String names = String.join(", ", columns.stream().map(ColumnPolicy::qualifiedName)
        .toList());
    String what = batch ? "This batch was not run again, since some of its statements may have"
        + " been applied: see the cause's update counts." : "Roll back and run the transaction"
        + " again: Veil binds bytea for " + (columns.size() == 1 ? "it" : "them")
        + " from now on.";
    return SqlErrors.of(VeilError.COLUMN_CONVERTED,
        "encrypted column " + names + " was converted"
        + " from text to bytea (veil encrypt-existing --convert-to-bytea) after this statement"
        + " had bound " + (columns.size() == 1 ? "its value" : "their values") + " as text,"
        + " and the server refused " + (columns.size() == 1 ? "it" : "them") + ". " + what,
        failure);
  }
}
