package org.veil.sql;

import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Undoes a JSqlParser 5.3 misparse (JSqlParser issues 2244, 2282): {@code a IN (1, 2) AND b = ?}
 * comes back as {@code a IN ((1, 2) AND b = ?)}, the IN list swallowing the rest of the condition.
 * Every operand still appears once, so the tree can be rotated back: the leftmost leaf of the
 * swallowed tail is the real IN list.
 *
 * <p>The boolean nesting of the repaired tree may differ from the SQL's, which does not matter
 * here: analysis looks at each predicate and its operands, never at how AND and OR combine them.
 */
final class InPredicateRepair {

  private InPredicateRepair() {}

  /** The expression {@code in} stands for: itself when well formed, else the repaired tree. */
  static Expression repair(InExpression in) {
    Expression right = in.getRightExpression();
    if (!(right instanceof BinaryExpression tail)) {
      return in;
    }
    BinaryExpression parent = tail;
    while (parent.getLeftExpression() instanceof BinaryExpression deeper) {
      parent = deeper;
    }
    Expression list = parent.getLeftExpression();
    if (!(list instanceof ExpressionList<?>) && !(list instanceof Select)) {
      return in;
    }
    InExpression repaired = new InExpression(in.getLeftExpression(), list);
    repaired.setNot(in.isNot());
    parent.setLeftExpression(repaired);
    return tail;
  }
}
