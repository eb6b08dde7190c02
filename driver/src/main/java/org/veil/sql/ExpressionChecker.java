package org.veil.sql;

import java.util.List;
import java.util.Locale;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsDistinctExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.expression.operators.relational.RegExpMatchOperator;
import net.sf.jsqlparser.expression.operators.relational.SimilarToExpression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;
import org.veil.config.ColumnPolicy;

/**
 * Walks an expression and refuses every encrypted column it meets in a position where the server
 * would have to compute on it (an operator, a function, a cast), except the equality forms that
 * deterministic encryption serves ({@code =}, {@code <>}, {@code IN}, {@code IS [NOT] DISTINCT
 * FROM}), {@code IS [NOT] NULL} and {@code count}. Equality operands go to {@link ValueRules},
 * which binds parameters to columns.
 *
 * <p>The visitor's context is a {@link Usage}: the scope names resolve in and a description of
 * the surrounding operation, used when a column must be refused.
 */
final class ExpressionChecker extends ExpressionVisitorAdapter<Void> {

  /** Where an expression sits: its scope and what the server would do to a column there. */
  record Usage(Scope scope, String operation) {
    Usage as(String newOperation) {
      return new Usage(scope, newOperation);
    }
  }

  private final StatementChecker checker;

  ExpressionChecker(StatementChecker checker) {
    this.checker = checker;
  }

  /** Checks {@code expression}, refusing encrypted columns used as {@code operation}. */
  void walk(Expression expression, Scope scope, String operation) {
    if (expression != null) {
      expression.accept(this, new Usage(scope, operation));
    }
  }

  void condition(Expression expression, Scope scope) {
    walk(expression, scope, "a boolean test");
  }

  private static Usage usage(Object context) {
    return (Usage) context;
  }

  @Override
  public <S> Void visit(Column column, S context) {
    if (ValueRules.isDefault(column)) {
      return null;
    }
    ColumnPolicy policy = usage(context).scope().resolve(column);
    if (policy != null) {
      throw RefusedStatement.operation(policy, usage(context).operation());
    }
    return null;
  }

  @Override
  public <S> Void visit(EqualsTo equals, S context) {
    return equality(equals.getLeftExpression(), equals.getRightExpression(), "=", usage(context));
  }

  @Override
  public <S> Void visit(NotEqualsTo notEquals, S context) {
    return equality(notEquals.getLeftExpression(), notEquals.getRightExpression(),
        notEquals.getStringExpression(), usage(context));
  }

  @Override
  public <S> Void visit(IsDistinctExpression distinct, S context) {
    return equality(distinct.getLeftExpression(), distinct.getRightExpression(),
        distinct.getStringExpression().trim(), usage(context));
  }

  private Void equality(Expression left, Expression right, String operator, Usage usage) {
    Expression l = ValueRules.strip(left);
    Expression r = ValueRules.strip(right);
    if (l instanceof ParenthesedExpressionList<?> leftRow
        && r instanceof ParenthesedExpressionList<?> rightRow && leftRow.size() == rightRow.size()) {
      for (int i = 0; i < leftRow.size(); i++) {
        equality(leftRow.get(i), rightRow.get(i), operator, usage);
      }
      return null;
    }
    ValueRules values = checker.values();
    values.compare(values.resolve(l, usage.scope()), values.resolve(r, usage.scope()), operator);
    return null;
  }

  @Override
  public <S> Void visit(InExpression in, S context) {
    Expression repaired = InPredicateRepair.repair(in);
    if (repaired != in) {
      repaired.accept(this, context);
      return null;
    }
    String operator = in.isNot() ? "NOT IN" : "IN";
    Usage usage = usage(context);
    ValueRules values = checker.values();
    Expression left = ValueRules.strip(in.getLeftExpression());
    Expression right = in.getRightExpression();
    if (left instanceof ParenthesedExpressionList<?> row && row.size() > 1) {
      if (!(right instanceof ExpressionList<?> rows)) {
        throw new UnanalysableStatement("row IN subquery");
      }
      for (Expression item : rows) {
        equality(left, item, operator, usage);
      }
      return null;
    }
    Operand leftOperand = values.resolve(left, usage.scope());
    if (right instanceof ParenthesedSelect subquery) {
      values.compare(leftOperand, values.resolve(subquery, usage.scope()), operator);
    } else if (right instanceof ExpressionList<?> items) {
      for (Expression item : items) {
        values.compare(leftOperand, values.resolve(item, usage.scope()), operator);
      }
    } else {
      values.compare(leftOperand, values.resolve(right, usage.scope()), operator);
    }
    return null;
  }

  @Override
  public <S> Void visit(IsNullExpression isNull, S context) {
    Expression operand = ValueRules.strip(isNull.getLeftExpression());
    if (operand instanceof Column column) {
      usage(context).scope().resolve(column);
      return null;
    }
    return super.visit(isNull, context);
  }

  @Override
  public <S> Void visit(Function function, S context) {
    String name = function.getName() == null ? "" : function.getName().toLowerCase(Locale.ROOT);
    if (name.equals("count") && countsColumn(function, usage(context))) {
      return null;
    }
    Usage usage = usage(context).as("the function " + name + "()");
    orderBy(function.getOrderByElements(), usage.as("ORDER BY"));
    return super.visit(function, usage);
  }

  /** {@code count(*)} and {@code count(col)} only test nullness; count(DISTINCT) needs equality. */
  private boolean countsColumn(Function count, Usage usage) {
    if (count.isAllColumns()) {
      return true;
    }
    ExpressionList<?> parameters = count.getParameters();
    if (parameters == null || parameters.size() != 1) {
      return false;
    }
    Expression argument = ValueRules.strip(parameters.get(0));
    if (argument instanceof AllColumns) {
      return true;
    }
    if (!(argument instanceof Column column)) {
      return false;
    }
    ColumnPolicy policy = usage.scope().resolve(column);
    if (policy != null && count.isDistinct() && !policy.isDeterministic()) {
      throw RefusedStatement.randomizedComparison(policy, "count(DISTINCT)");
    }
    return count.getOrderByElements() == null || count.getOrderByElements().isEmpty();
  }

  @Override
  public <S> Void visit(AnalyticExpression window, S context) {
    String name = window.getName() == null ? "" : window.getName().toLowerCase(Locale.ROOT);
    Usage usage = usage(context).as("the window function " + name + "()");
    Expression argument = window.getExpression() == null ? null
        : ValueRules.strip(window.getExpression());
    if (name.equals("count") && argument instanceof Column column && !window.isDistinct()) {
      usage.scope().resolve(column);
    } else if (argument != null) {
      argument.accept(this, usage);
    }
    walk(window.getOffset(), usage.scope(), usage.operation());
    walk(window.getDefaultValue(), usage.scope(), usage.operation());
    walk(window.getFilterExpression(), usage.scope(), "FILTER (WHERE ...)");
    Usage partition = usage.as("PARTITION BY");
    if (window.getPartitionExpressionList() != null) {
      for (Expression key : window.getPartitionExpressionList()) {
        key.accept(this, partition);
      }
    }
    orderBy(window.getOrderByElements(), usage.as("ORDER BY"));
    orderBy(window.getFuncOrderBy(), usage.as("ORDER BY"));
    return null;
  }

  private void orderBy(List<OrderByElement> elements, Usage usage) {
    if (elements != null) {
      for (OrderByElement element : elements) {
        element.getExpression().accept(this, usage);
      }
    }
  }

  @Override
  public <S> Void visit(LikeExpression like, S context) {
    String keyword = like.getLikeKeyWord() == null ? "LIKE" : like.getLikeKeyWord().toString();
    return super.visit(like, usage(context).as(keyword));
  }

  @Override
  public <S> Void visit(GreaterThan comparison, S context) {
    return super.visit(comparison, usage(context).as(">"));
  }

  @Override
  public <S> Void visit(GreaterThanEquals comparison, S context) {
    return super.visit(comparison, usage(context).as(">="));
  }

  @Override
  public <S> Void visit(MinorThan comparison, S context) {
    return super.visit(comparison, usage(context).as("<"));
  }

  @Override
  public <S> Void visit(MinorThanEquals comparison, S context) {
    return super.visit(comparison, usage(context).as("<="));
  }

  @Override
  public <S> Void visit(Between between, S context) {
    return super.visit(between, usage(context).as("BETWEEN"));
  }

  @Override
  public <S> Void visit(SimilarToExpression similar, S context) {
    return super.visit(similar, usage(context).as("SIMILAR TO"));
  }

  @Override
  public <S> Void visit(RegExpMatchOperator match, S context) {
    return super.visit(match, usage(context).as("a regular expression match"));
  }

  @Override
  public <S> Void visit(CastExpression cast, S context) {
    return super.visit(cast, usage(context).as("a cast"));
  }

  @Override
  protected <S> Void visitBinaryExpression(BinaryExpression expression, S context) {
    return super.visitBinaryExpression(expression,
        usage(context).as("the operator " + expression.getStringExpression().trim()));
  }

  @Override
  public <S> Void visit(ExistsExpression exists, S context) {
    Expression subquery = ValueRules.strip(exists.getRightExpression());
    if (subquery instanceof Select select) {
      checker.queries().check(select, usage(context).scope());
      return null;
    }
    return super.visit(exists, context);
  }

  @Override
  public <S> Void visit(ParenthesedSelect subquery, S context) {
    return scalarSubquery(subquery, usage(context));
  }

  @Override
  public <S> Void visit(Select select, S context) {
    return scalarSubquery(select, usage(context));
  }

  /** A subquery whose value the server computes on: its encrypted outputs are refused. */
  private Void scalarSubquery(Select select, Usage usage) {
    QueryShape shape = checker.queries().check(select, usage.scope());
    List<ColumnPolicy> encrypted = shape.encryptedOutputs();
    if (!encrypted.isEmpty()) {
      throw RefusedStatement.operation(encrypted.get(0), usage.operation());
    }
    return null;
  }
}
