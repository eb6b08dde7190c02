package org.veil.sql;

import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.DateTimeLiteralExpression;
import net.sf.jsqlparser.expression.DateValue;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.HexValue;
import net.sf.jsqlparser.expression.IntervalExpression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.TimeValue;
import net.sf.jsqlparser.expression.TimestampValue;

/** Finds literal values (anything but NULL) inside an expression. */
final class Literals extends ExpressionVisitorAdapter<Void> {

  private boolean found;

  private Literals() {}

  /** Whether {@code expression} is or contains a string, number, date, boolean or other literal. */
  static boolean contain(Expression expression) {
    Literals finder = new Literals();
    expression.accept(finder, null);
    return finder.found;
  }

  @Override
  public <S> Void visit(StringValue value, S context) {
    found = true;
    return null;
  }

  @Override
  public <S> Void visit(LongValue value, S context) {
    found = true;
    return null;
  }

  @Override
  public <S> Void visit(DoubleValue value, S context) {
    found = true;
    return null;
  }

  @Override
  public <S> Void visit(HexValue value, S context) {
    found = true;
    return null;
  }

  @Override
  public <S> Void visit(BooleanValue value, S context) {
    found = true;
    return null;
  }

  @Override
  public <S> Void visit(DateValue value, S context) {
    found = true;
    return null;
  }

  @Override
  public <S> Void visit(TimeValue value, S context) {
    found = true;
    return null;
  }

  @Override
  public <S> Void visit(TimestampValue value, S context) {
    found = true;
    return null;
  }

  @Override
  public <S> Void visit(DateTimeLiteralExpression value, S context) {
    found = true;
    return null;
  }

  @Override
  public <S> Void visit(IntervalExpression value, S context) {
    found = true;
    return null;
  }
}
