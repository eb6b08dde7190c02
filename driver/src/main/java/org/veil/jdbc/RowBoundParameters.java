package org.veil.jdbc;

import java.sql.SQLException;
import java.util.Arrays;
import org.veil.config.ColumnPolicy;
import org.veil.crypto.ValueType;
import org.veil.error.VeilError;
import org.veil.sql.BindingSource;
import org.veil.sql.StatementPlan;

/**
 * The parameters of one prepared statement that bind a row-bound column ({@code :bind=}) or
 * hold a binding value. A row-bound value is held, unsealed, until the statement runs or a row is
 * added to its batch: only then is every parameter set, so each is sealed with the binding value
 * its plan names ({@link StatementPlan#bindingSource}), in that statement or batch row, and bound
 * again at each later execution, as JDBC keeps parameters between executions. A binding value is
 * held in its canonical form ({@link RowBinding}), normalised when it is set.
 *
 * <p>Statements whose plan binds no row never create one. Not thread-safe, like the statement.
 */
final class RowBoundParameters {

  /** Seals one held value with its binding value and binds it to the statement. */
  interface Sealer {
    void seal(int index, ColumnPolicy column, ValueType type, Object value, byte[] binding)
        throws SQLException;
  }

  /** The canonical binding value of a literal of the SQL text. */
  interface Literals {
    byte[] canonical(ColumnPolicy column, String literal) throws SQLException;
  }

  /** Stands for SQL NULL bound as a binding value. */
  private static final byte[] NULL = new byte[0];

  private ValueType[] types = new ValueType[0];
  private Object[] values = new Object[0];
  private byte[][] bindings = new byte[0][];
  /** By row-bound parameter, the canonical value of its literal binding; the plan's. */
  private byte[][] literals = new byte[0][];
  private int held;

  /** Holds {@code value}, coerced to {@code type}'s class, for row-bound parameter {@code index}. */
  void hold(int index, ValueType type, Object value) {
    grow(index);
    if (types[index] == null) {
      held++;
    }
    types[index] = type;
    values[index] = value;
  }

  /** Parameter {@code index} was bound otherwise (SQL NULL, or it binds no row-bound column). */
  void release(int index) {
    if (index < types.length && types[index] != null) {
      types[index] = null;
      values[index] = null;
      held--;
    }
  }

  /** Forgets parameter {@code index}, held value and binding value alike. */
  void forget(int index) {
    release(index);
    if (index < bindings.length) {
      bindings[index] = null;
    }
  }

  /** Parameter {@code index} holds binding value {@code canonical}; null for SQL NULL. */
  void bindingValue(int index, byte[] canonical) {
    grow(index);
    bindings[index] = canonical == null ? NULL : canonical;
  }

  /** Forgets every parameter, as {@code clearParameters} does. */
  void clear() {
    Arrays.fill(types, null);
    Arrays.fill(values, null);
    Arrays.fill(bindings, null);
    held = 0;
  }

  /** The plan changed: the canonical values of its literals are worked out again. */
  void planChanged() {
    Arrays.fill(literals, null);
  }

  boolean holdsValues() {
    return held > 0;
  }

  /**
   * Seals every held value with its binding value, through {@code sealer}.
   *
   * @throws SQLException (42000), before anything is sealed, when a binding value is not set or
   *     is SQL NULL
   */
  void sealAll(StatementPlan plan, Literals literal, Sealer sealer) throws SQLException {
    byte[][] found = new byte[types.length][];
    for (int i = 1; i < types.length; i++) {
      if (types[i] != null) {
        found[i] = bindingOf(plan, i, literal);
      }
    }
    for (int i = 1; i < types.length; i++) {
      if (types[i] != null) {
        sealer.seal(i, plan.parameter(i), types[i], values[i], found[i]);
      }
    }
  }

  private byte[] bindingOf(StatementPlan plan, int index, Literals literal)
      throws SQLException {
    ColumnPolicy column = plan.parameter(index);
    BindingSource source = plan.bindingSource(index);
    if (column == null || source == null) {
      throw SqlErrors.of(VeilError.OPERATION_REFUSED, "parameter " + index + " holds a value"
          + " for a row-bound column that the statement's plan no longer binds; bind it again");
    }
    if (source.isLiteral()) {
      if (index >= literals.length) {
        literals = Arrays.copyOf(literals, Math.max(index + 1, types.length));
      }
      if (literals[index] == null) {
        literals[index] = literal.canonical(column, source.literal());
      }
      return literals[index];
    }
    int from = source.parameter();
    byte[] binding = from < bindings.length ? bindings[from] : null;
    String what = "parameter " + from + ", the value of " + column.qualifiedBindingColumn()
        + " that binds encrypted column " + column.qualifiedName() + " (parameter " + index
        + ") to its row, ";
    if (binding == null) {
      throw SqlErrors.of(VeilError.OPERATION_REFUSED, what + "is not set; Veil seals "
          + column.column() + " with it. Set it, then execute; nothing was sent.");
    }
    if (binding == NULL) {
      throw SqlErrors.of(VeilError.OPERATION_REFUSED, what + "is NULL, and a NULL binding"
          + " value binds no row. Give " + column.bindingColumn() + " a value; nothing was"
          + " sent.");
    }
    return binding;
  }

  private void grow(int index) {
    if (index >= types.length) {
      int n = Math.max(index + 1, types.length * 2);
      types = Arrays.copyOf(types, n);
      values = Arrays.copyOf(values, n);
      bindings = Arrays.copyOf(bindings, n);
    }
  }
}
