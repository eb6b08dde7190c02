package org.veil.sql;

import java.util.Collection;
import java.util.stream.Collectors;
import org.veil.config.ColumnPolicy;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * Why Veil will not run a statement, raised while walking its syntax tree and turned into a
 * {@link VeilException} at the analyzer's boundary.
 *
 * <p>Every message names the encrypted column by {@link ColumnPolicy#qualifiedName()} and says
 * what to do instead. No message quotes any part of the SQL text: a literal there may be the very
 * plaintext Veil is protecting.
 */
final class RefusedStatement extends RuntimeException {

  private final VeilError error;

  private RefusedStatement(VeilError error, String message) {
    super(message, null, false, false);
    this.error = error;
  }

  VeilException toVeilException() {
    return new VeilException(error, getMessage());
  }

  static RefusedStatement literal(ColumnPolicy column, String clause) {
    return new RefusedStatement(VeilError.PLAINTEXT_REFUSED, "Veil refused a literal value for "
        + "encrypted column " + column.qualifiedName() + " in " + clause + ": it would reach the "
        + "server as plaintext. Bind the value as a ? parameter of a PreparedStatement instead.");
  }

  static RefusedStatement notAParameter(ColumnPolicy column, String clause) {
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil cannot seal the value for "
        + "encrypted column " + column.qualifiedName() + " in " + clause + " because the server "
        + "would compute it. Compute it in the application and bind it as a ? parameter.");
  }

  static RefusedStatement positionalParameter(ColumnPolicy column) {
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil binds only JDBC ? parameters "
        + "to encrypted column " + column.qualifiedName() + "; positional ($1) and named "
        + "parameters are not sealed. Use ? instead.");
  }

  static RefusedStatement operation(ColumnPolicy column, String operation) {
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil cannot apply " + operation
        + " to encrypted column " + column.qualifiedName() + ": the server holds only ciphertext. "
        + "Select the column and do this in the application.");
  }

  static RefusedStatement randomizedComparison(ColumnPolicy column, String operator) {
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil cannot evaluate " + operator
        + " on randomized encrypted column " + column.qualifiedName() + ": equal values have "
        + "unrelated ciphertexts. Configure the column as deterministic "
        + "(veil.columns=" + column.table() + "." + column.column() + ":deterministic) "
        + "or compare in the application.");
  }

  static RefusedStatement differentContexts(ColumnPolicy column, ColumnPolicy other,
      String clause) {
    String what = other == null
        ? "a value that is not encrypted (a column without encryption, or an expression)"
        : "encrypted column " + other.qualifiedName() + " (" + sealing(other) + ")";
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil refused " + clause
        + " between encrypted column " + column.qualifiedName() + " (" + sealing(column)
        + ") and " + what + ": ciphertext is bound to its column's context and mode. Move the"
        + " values through the application, or give both columns the same context, mode and"
        + " row binding.");
  }

  /** A column's context, mode and row binding, for messages. */
  private static String sealing(ColumnPolicy column) {
    return "context " + column.context() + ", "
        + column.mode().name().toLowerCase(java.util.Locale.ROOT)
        + (column.isRowBound() ? ", bound to its row by " + column.bindingColumn() : "");
  }

  /**
   * A write of row-bound encrypted column {@code column} whose binding value Veil cannot take
   * from the statement.
   *
   * @param clause where (INSERT ... VALUES, UPDATE ... SET), never SQL text
   * @param problem what the statement does, e.g. "gives id no value"
   * @param fix what to write instead
   */
  static RefusedStatement rowBinding(ColumnPolicy column, String clause, String problem,
      String fix) {
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil cannot seal encrypted column "
        + column.qualifiedName() + " in " + clause + ": its cells are bound to their row by the"
        + " value of " + column.qualifiedBindingColumn() + " (:bind=" + column.bindingColumn()
        + "), and " + problem + ". " + fix);
  }

  static RefusedStatement parameterBindsTwoColumns(ColumnPolicy column, ColumnPolicy other) {
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil cannot bind one ? parameter to "
        + "both encrypted column " + column.qualifiedName() + " and " + other.qualifiedName()
        + ": their ciphertexts differ. Use one parameter per column.");
  }

  static RefusedStatement ambiguousColumn(String name, Collection<ColumnPolicy> candidates) {
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil cannot tell which encrypted "
        + "column the name " + name + " refers to (" + names(candidates) + "). Qualify it with "
        + "its table name or alias.");
  }

  static RefusedStatement missingColumnList(Collection<ColumnPolicy> encrypted) {
    ColumnPolicy first = encrypted.iterator().next();
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil needs the column list of an "
        + "INSERT into " + first.schema() + "." + first.table() + ", which has encrypted "
        + "column(s) " + names(encrypted) + ". Write INSERT INTO " + first.table()
        + " (column, ...) so each value can be matched to its column.");
  }

  static RefusedStatement unknownPositions(Collection<ColumnPolicy> encrypted, String clause) {
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil cannot match the columns of "
        + clause + " to encrypted column(s) " + names(encrypted) + " because they come from *. "
        + "List the columns explicitly.");
  }

  static RefusedStatement unanalysable(ColumnPolicy column) {
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil could not analyse a statement "
        + "that mentions encrypted column " + column.qualifiedName() + ", so it cannot tell "
        + "whether plaintext would reach that column. Rewrite the statement in a form the README "
        + "lists as supported, or run it outside Veil.");
  }

  static RefusedStatement copy(Collection<ColumnPolicy> encrypted) {
    return new RefusedStatement(VeilError.OPERATION_REFUSED, "Veil cannot COPY into or from a "
        + "table with encrypted column(s) " + names(encrypted) + ": COPY moves rows without "
        + "Veil's per-value encryption. Use INSERT or SELECT through Veil, or Veil's migrate tool.");
  }

  static RefusedStatement unsettledName(String table, Collection<ColumnPolicy> encrypted) {
    return new RefusedStatement(VeilError.SEARCH_PATH_CHANGED, "Veil cannot tell which table "
        + table + " means (encrypted column(s) " + names(encrypted) + ") after an earlier "
        + "statement of the same SQL text that may change the search path or the tables (SET, "
        + "RESET, DISCARD, DDL, CALL, DO, COMMIT or ROLLBACK). Run that statement on its own "
        + "first, or name the table with its schema.");
  }

  static String names(Collection<ColumnPolicy> columns) {
    return columns.stream().map(ColumnPolicy::qualifiedName).distinct()
        .collect(Collectors.joining(", "));
  }
}
