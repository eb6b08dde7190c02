package org.veil.sql;

import net.sf.jsqlparser.expression.Expression;
import org.veil.config.ColumnPolicy;

/**
 * One side of an assignment or comparison: either a direct reference to an encrypted column, or
 * some other expression (a parameter, a literal, a plain column, a computation) to be judged in its
 * scope.
 *
 * @param column the encrypted column referred to directly, or null
 * @param expression the expression, parentheses stripped; null for a column reached through *
 * @param scope where the expression's names resolve
 */
record Operand(ColumnPolicy column, Expression expression, Scope scope) {

  boolean isEncryptedColumn() {
    return column != null;
  }
}
