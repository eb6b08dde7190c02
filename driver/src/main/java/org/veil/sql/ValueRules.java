package org.veil.sql;

import java.util.List;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcNamedParameter;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.NumericBind;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import org.veil.config.ColumnPolicy;

/**
 * The rules for values that meet an encrypted column: written into it ({@link #assign}) or
 * compared with it ({@link #compare}). A value for an encrypted column must be a {@code ?}
 * parameter (which the driver seals), NULL, DEFAULT, or another encrypted column sealed the same
 * way; anything else would put plaintext on the wire or make the server compute on ciphertext.
 */
final class ValueRules {

  private final StatementChecker checker;

  ValueRules(StatementChecker checker) {
    this.checker = checker;
  }

  /** {@code expression} with redundant parentheses removed. */
  static Expression strip(Expression expression) {
    Expression current = expression;
    while (current instanceof ParenthesedExpressionList<?> list && list.size() == 1) {
      current = list.get(0);
    }
    return current;
  }

  /** What {@code expression} is, resolving columns and the single output of a scalar subquery. */
  Operand resolve(Expression expression, Scope scope) {
    Expression stripped = strip(expression);
    if (stripped instanceof Column column && !isDefault(column)) {
      return new Operand(scope.resolve(column), stripped, scope);
    }
    if (stripped instanceof ParenthesedSelect subquery) {
      QueryShape shape = checker.queries().check(subquery, scope);
      List<QueryShape.Output> outputs = shape.singleColumn();
      if (outputs != null) {
        QueryShape.Output output = outputs.get(0);
        if (output.column() != null || output.expression() == null) {
          return new Operand(output.column(), output.expression(), output.scope());
        }
        Operand inner = resolve(output.expression(), output.scope());
        if (inner.isEncryptedColumn() || isValue(inner.expression())) {
          return inner;
        }
      }
    }
    return new Operand(null, stripped, scope);
  }

  /**
   * Checks writing {@code value} into a column; {@code target} is null for a plain column.
   *
   * @param clause where the assignment happens, for messages (never SQL text)
   * @return the parameter that binds {@code target}, or null when the value is NULL, DEFAULT or
   *     another encrypted column (or {@code target} is null)
   */
  JdbcParameter assign(ColumnPolicy target, Operand value, String clause) {
    if (target == null) {
      if (value.isEncryptedColumn()) {
        throw RefusedStatement.differentContexts(value.column(), null, clause);
      }
      if (value.expression() != null) {
        checker.expressions().walk(value.expression(), value.scope(),
            "an expression stored in a column that is not encrypted");
      }
      return null;
    }
    if (value.isEncryptedColumn()) {
      if (!sealedAlike(target, value.column())) {
        throw RefusedStatement.differentContexts(target, value.column(), clause);
      }
      return null;
    }
    return bindValue(target, value, clause);
  }

  /** Checks {@code left operator right} where the operator compares for equality. */
  void compare(Operand left, Operand right, String operator) {
    if (left.isEncryptedColumn() && right.isEncryptedColumn()) {
      requireDeterministic(left.column(), operator);
      requireDeterministic(right.column(), operator);
      if (!sealedAlike(left.column(), right.column())) {
        throw RefusedStatement.differentContexts(left.column(), right.column(),
            "a comparison (" + operator + ")");
      }
    } else if (left.isEncryptedColumn() || right.isEncryptedColumn()) {
      Operand column = left.isEncryptedColumn() ? left : right;
      Operand value = left.isEncryptedColumn() ? right : left;
      requireDeterministic(column.column(), operator);
      bindValue(column.column(), value, "a comparison (" + operator + ")");
    } else {
      walkPlain(left, operator);
      walkPlain(right, operator);
    }
  }

  private void walkPlain(Operand operand, String operator) {
    if (operand.expression() != null && !(operand.expression() instanceof Column)) {
      checker.expressions().walk(operand.expression(), operand.scope(), operator);
    }
  }

  private JdbcParameter bindValue(ColumnPolicy target, Operand value, String clause) {
    Expression expression = value.expression();
    if (expression instanceof CastExpression cast && isParameter(cast.getLeftExpression())) {
      expression = cast.getLeftExpression();
    }
    if (expression instanceof JdbcParameter parameter && !parameter.isUseFixedIndex()) {
      checker.bindings().bind(parameter, target);
      return parameter;
    } else if (expression instanceof JdbcParameter || expression instanceof JdbcNamedParameter
        || expression instanceof NumericBind) {
      throw RefusedStatement.positionalParameter(target);
    } else if (expression instanceof NullValue
        || expression instanceof Column column && isDefault(column)) {
      return null;
    } else if (expression instanceof Column || expression == null) {
      throw RefusedStatement.differentContexts(target, null, clause);
    } else if (Literals.contain(expression)) {
      throw RefusedStatement.literal(target, clause);
    } else {
      throw RefusedStatement.notAParameter(target, clause);
    }
  }

  private static void requireDeterministic(ColumnPolicy column, String operator) {
    if (!column.isDeterministic()) {
      throw RefusedStatement.randomizedComparison(column, operator);
    }
  }

  /** Whether a cell of {@code a} decrypts, and compares equal, as a cell of {@code b}. */
  static boolean sealedAlike(ColumnPolicy a, ColumnPolicy b) {
    return a.context().equals(b.context()) && a.mode() == b.mode()
        && a.isRowBound() == b.isRowBound();
  }

  private static boolean isParameter(Expression expression) {
    return expression instanceof JdbcParameter || expression instanceof JdbcNamedParameter;
  }

  private static boolean isValue(Expression expression) {
    return isParameter(expression) || expression instanceof NullValue;
  }

  /** JSqlParser reads the DEFAULT keyword of {@code SET col = DEFAULT} as a column. */
  static boolean isDefault(Column column) {
    return (column.getTable() == null || column.getTable().getName() == null)
        && "default".equalsIgnoreCase(column.getColumnName());
  }
}
