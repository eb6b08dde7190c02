package org.veil.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.JdbcNamedParameter;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.NumericBind;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.insert.InsertConflictTarget;
import org.veil.config.ColumnPolicy;

/**
 * Where a write of a row-bound encrypted column ({@code :bind=<column>}) finds its binding value:
 * the binding column's value in the same statement, for the same row. Supported: INSERT with the
 * binding column in its column list (a parameter or a plain literal, per VALUES row);
 * {@code UPDATE ... SET enc = ? WHERE bind = ? [AND ...]} (a top-level AND conjunct);
 * {@code UPDATE ... SET bind = ?, enc = ?} (the new value); ON CONFLICT DO UPDATE that keeps the
 * inserted binding value. Everything else that would seal a value of such a column is refused,
 * as is a write that changes the binding column without writing the columns it binds (their
 * cells would no longer open). Not thread-safe: one per analysis.
 */
final class RowBindingRules {

  private static final String EXCLUDED = "excluded";

  /** What one SET list assigns to one column. */
  record Assignment(Expression raw, Operand value, JdbcParameter sealed, boolean fromQuery) {}

  /** A binding value found in the statement: a parameter or a literal, else what it is. */
  private record Found(JdbcParameter parameter, String literal, String problem) {

    static Found problem(String problem) {
      return new Found(null, null, problem);
    }
  }

  private final StatementChecker checker;

  RowBindingRules(StatementChecker checker) {
    this.checker = checker;
  }

  /**
   * One row of INSERT ... VALUES: for each row-bound column given a parameter, the binding
   * column's value in the same row.
   *
   * @param names the folded column list
   * @param targets the encrypted column of each listed column, or null
   * @param row the row's value expressions
   * @param values the row's values as resolved
   * @param sealed the parameter that seals each value, or null
   */
  void insertRow(List<String> names, List<ColumnPolicy> targets, List<Expression> row,
      Operand[] values, JdbcParameter[] sealed) {
    String clause = "INSERT ... VALUES";
    for (int i = 0; i < targets.size() && i < row.size(); i++) {
      ColumnPolicy column = targets.get(i);
      if (column == null || !column.isRowBound()) {
        continue;
      }
      if (sealed[i] == null) {
        if (values[i].isEncryptedColumn()) {
          throw movedCell(column, clause);
        }
        continue; // NULL or DEFAULT: nothing is sealed
      }
      int at = names.indexOf(column.bindingColumn());
      if (at < 0) {
        throw RefusedStatement.rowBinding(column, clause, "the column list does not include "
            + column.bindingColumn(), "Add " + column.bindingColumn() + " to the column list"
            + " with its value as a ? parameter or a literal: Veil must know it before the row"
            + " is written, so it cannot come from DEFAULT or a sequence.");
      }
      record(column, sealed[i], bindingValue(row.get(at)), clause, "the row gives "
          + column.bindingColumn() + " ");
    }
  }

  /** INSERT ... SELECT, or a multi-column SET from a query: refused for row-bound columns. */
  void refuseQuerySource(List<ColumnPolicy> targets, String clause) {
    for (ColumnPolicy column : targets) {
      if (column != null && column.isRowBound()) {
        throw RefusedStatement.rowBinding(column, clause, "the values come from a query, whose"
            + " rows Veil does not follow", "Write the rows with INSERT ... VALUES (or UPDATE"
            + " ... SET) and ? parameters, with " + column.bindingColumn() + " among them.");
      }
    }
  }

  /**
   * UPDATE ... SET (not ON CONFLICT): each row-bound column set to a parameter takes the
   * binding column's new value from the same SET list, else its value from a top-level
   * {@code WHERE bind = ?} conjunct.
   *
   * @param assignments by folded column name
   */
  void update(Source target, Map<String, Assignment> assignments, Expression where,
      String clause) {
    for (ColumnPolicy column : target.encrypted().values()) {
      if (!column.isRowBound()) {
        continue;
      }
      Assignment set = assignments.get(column.column());
      Assignment binding = assignments.get(column.bindingColumn());
      if (!needsBinding(column, set, binding, clause, false)) {
        continue;
      }
      if (binding != null) {
        record(column, set.sealed(), bindingValue(binding.raw()), clause, "it sets "
            + column.bindingColumn() + " ");
        continue;
      }
      record(column, set.sealed(), whereEquality(where, target, column), clause, "",
          "Update one row at a time, found by its " + column.bindingColumn() + ": UPDATE ... SET "
          + column.column() + " = ? WHERE " + column.bindingColumn() + " = ? [AND ...], or set "
          + column.bindingColumn() + " = ? in the same SET list.");
    }
  }

  /**
   * ON CONFLICT ... DO UPDATE SET of an INSERT into {@code target}: a row-bound column may take
   * {@code EXCLUDED.col} (the inserted cell) or a parameter only while the updated row keeps,
   * or is given, the inserted binding value: the conflict target names the binding column, or
   * the SET list sets it to {@code EXCLUDED.bind}; or, for a parameter, the SET list sets the
   * binding column to a parameter or literal.
   *
   * @param names the INSERT's folded column list
   * @param rows the INSERT's VALUES rows, or null when it inserts from a query
   */
  void conflictUpdate(Source target, InsertConflictTarget conflict, List<String> names,
      List<List<Expression>> rows, Map<String, Assignment> assignments) {
    String clause = "INSERT ... ON CONFLICT DO UPDATE SET";
    for (ColumnPolicy column : target.encrypted().values()) {
      if (!column.isRowBound()) {
        continue;
      }
      String bind = column.bindingColumn();
      Assignment set = assignments.get(column.column());
      Assignment binding = assignments.get(bind);
      boolean conflictOnBinding = conflict != null && conflict.getIndexColumnNames() != null
          && conflict.getIndexColumnNames().stream().anyMatch(n -> bind.equals(
              Identifiers.fold(n)));
      boolean keepsInserted = binding == null ? conflictOnBinding : isExcluded(binding, bind);
      if (set != null && set.sealed() == null && !set.fromQuery()
          && set.value().isEncryptedColumn() && isExcluded(set, column.column())) {
        if (!keepsInserted) {
          throw RefusedStatement.rowBinding(column, clause, "EXCLUDED." + column.column()
              + " is bound to the inserted " + bind + ", which the row it updates may not have",
              "Name " + bind + " in the conflict target (ON CONFLICT (" + bind + ")), or set "
              + bind + " = EXCLUDED." + bind + " too.");
        }
        continue;
      }
      if (!needsBinding(column, set, binding, clause,
          binding != null && isExcluded(binding, bind) && conflictOnBinding)) {
        continue;
      }
      if (binding != null && !isExcluded(binding, bind)) {
        record(column, set.sealed(), bindingValue(binding.raw()), clause, "it sets " + bind
            + " ");
        continue;
      }
      if (!keepsInserted) {
        throw RefusedStatement.rowBinding(column, clause, "the row it updates is found by"
            + " another column than " + bind + ", so Veil does not know its " + bind, "Name "
            + bind + " in the conflict target (ON CONFLICT (" + bind + ")), or set " + bind
            + " = ? in the same SET list.");
      }
      int at = names.indexOf(bind);
      if (rows == null || rows.size() != 1 || at < 0) {
        throw RefusedStatement.rowBinding(column, clause, "the value is a ? parameter, and the"
            + " INSERT does not give one " + bind + " for it (" + (at < 0 ? bind
            + " is not in its column list" : "it inserts several rows") + ")", "Set " + column
            .column() + " = EXCLUDED." + column.column() + " instead, or insert one row with "
            + bind + " in the column list.");
      }
      record(column, set.sealed(), bindingValue(rows.get(0).get(at)), clause,
          "the row gives " + bind + " ");
    }
  }

  /**
   * Whether {@code set}, the assignment of row-bound {@code column}, seals a parameter whose
   * binding value must be found; refuses what cannot be bound: a value from a query, a cell of
   * another row, and a new binding value for cells not written again.
   *
   * @param bindingIsNoOp whether {@code binding}, the binding column's assignment, keeps the
   *     value the row has (ON CONFLICT (bind) ... SET bind = EXCLUDED.bind)
   */
  private boolean needsBinding(ColumnPolicy column, Assignment set, Assignment binding,
      String clause, boolean bindingIsNoOp) {
    if (set == null) {
      if (binding != null && !bindingIsNoOp) {
        throw RefusedStatement.rowBinding(column, clause, "it changes "
            + column.bindingColumn() + " without writing " + column.column() + ", whose"
            + " cells, bound to the old value, would no longer open", "Write "
            + column.column() + " in the same statement: SET " + column.bindingColumn()
            + " = ?, " + column.column() + " = ? (or " + column.column() + " = NULL).");
      }
      return false;
    }
    if (set.fromQuery()) {
      refuseQuerySource(List.of(column), clause);
    }
    if (set.sealed() == null) {
      if (set.value().isEncryptedColumn()) {
        throw movedCell(column, clause);
      }
      return false; // NULL or DEFAULT
    }
    if (binding != null && binding.fromQuery()) {
      throw RefusedStatement.rowBinding(column, clause, "it sets " + column.bindingColumn()
          + " from a query", "Set " + column.bindingColumn() + " to a ? parameter or a"
          + " literal.");
    }
    return true;
  }

  private static RefusedStatement movedCell(ColumnPolicy column, String clause) {
    return RefusedStatement.rowBinding(column, clause, "it is given the cell of another row or"
        + " column, which is bound to that row", "Read the value through Veil and write it as a"
        + " ? parameter.");
  }

  /**
   * Notes that {@code sealed} takes its binding value from {@code found}; refuses when the
   * statement gives no usable binding value.
   *
   * @param where how the statement gives it, before {@link Found#problem()}, for messages
   */
  private void record(ColumnPolicy column, JdbcParameter sealed, Found found, String clause,
      String where) {
    record(column, sealed, found, clause, where, "Give " + column.bindingColumn()
        + " its value in the statement, as a ? parameter or a literal: Veil seals "
        + column.column() + " with it before the row is written.");
  }

  private void record(ColumnPolicy column, JdbcParameter sealed, Found found, String clause,
      String where, String fix) {
    if (found.problem() != null) {
      throw RefusedStatement.rowBinding(column, clause, where + found.problem(), fix);
    }
    if (found.parameter() != null) {
      checker.bindings().bindRow(sealed, found.parameter());
    } else {
      checker.bindings().bindRow(sealed, found.literal());
    }
  }

  /** The binding value that {@code raw}, the binding column's value, gives. */
  private static Found bindingValue(Expression raw) {
    Expression e = ValueRules.strip(raw);
    if (e instanceof CastExpression cast) {
      e = ValueRules.strip(cast.getLeftExpression());
    }
    if (e instanceof JdbcParameter p && !p.isUseFixedIndex()) {
      return new Found(p, null, null);
    }
    if (e instanceof JdbcParameter || e instanceof JdbcNamedParameter
        || e instanceof NumericBind) {
      return Found.problem("a positional or named parameter, which Veil does not bind");
    }
    if (e instanceof LongValue number) {
      return new Found(null, number.getStringValue(), null);
    }
    if (e instanceof SignedExpression signed && signed.getExpression() instanceof LongValue n
        && (signed.getSign() == '-' || signed.getSign() == '+')) {
      return new Found(null, signed.getSign() + n.getStringValue(), null);
    }
    if (e instanceof StringValue text && text.getPrefix() == null) {
      return new Found(null, text.getNotExcapedValue(), null);
    }
    if (e instanceof NullValue) {
      return Found.problem("NULL, and a NULL binding value binds no row");
    }
    if (e instanceof Column column && ValueRules.isDefault(column)) {
      return Found.problem("DEFAULT (a sequence, say), whose value Veil cannot know");
    }
    return Found.problem("a value the server computes (a column, an expression, a function or"
        + " a sequence), which Veil cannot know");
  }

  /**
   * The binding value of a top-level {@code WHERE bind = ?} (or literal) conjunct; else why
   * there is none.
   */
  private static Found whereEquality(Expression where, Source target, ColumnPolicy column) {
    String bind = column.bindingColumn();
    List<Expression> conjuncts = new ArrayList<>();
    flattenAnd(where, conjuncts);
    String why = "its WHERE clause has no top-level condition " + bind + " = ?";
    Found unusable = null;
    for (Expression conjunct : conjuncts) {
      if (conjunct instanceof EqualsTo equals) {
        Expression l = ValueRules.strip(equals.getLeftExpression());
        Expression r = ValueRules.strip(equals.getRightExpression());
        Expression value = names(l, target, bind) ? r : names(r, target, bind) ? l : null;
        if (value != null) {
          Found found = bindingValue(value);
          if (found.problem() == null) {
            return found;
          }
          unusable = found;
        }
      } else if (conjunct instanceof InExpression in
          && names(ValueRules.strip(in.getLeftExpression()), target, bind)) {
        why = "its WHERE clause has " + bind + " IN (...), which matches rows of several "
            + bind + " values, and one cell is bound to one";
      } else if (conjunct instanceof OrExpression && mentions(conjunct, target, bind)) {
        why = "its WHERE clause tests " + bind + " under OR, which does not hold for every row"
            + " it updates";
      }
    }
    if (unusable != null) {
      return Found.problem("its WHERE clause compares " + bind + " with "
          + unusable.problem());
    }
    return Found.problem(why);
  }

  private static void flattenAnd(Expression expression, List<Expression> into) {
    Expression e = expression == null ? null : ValueRules.strip(expression);
    if (e == null) {
      return;
    }
    if (e instanceof AndExpression and) {
      flattenAnd(and.getLeftExpression(), into);
      flattenAnd(and.getRightExpression(), into);
    } else {
      into.add(e);
    }
  }

  /** Whether {@code e} is the column {@code bind} of {@code target}. */
  private static boolean names(Expression e, Source target, String bind) {
    if (!(e instanceof Column column) || !bind.equals(Identifiers.fold(column.getColumnName()))) {
      return false;
    }
    Table table = column.getTable();
    return table == null || table.getName() == null
        || target.answersTo(Identifiers.fold(table.getSchemaName()),
            Identifiers.fold(table.getName()));
  }

  /** Whether {@code expression} refers to the column {@code bind} of {@code target} anywhere. */
  private static boolean mentions(Expression expression, Source target, String bind) {
    boolean[] found = {false};
    expression.accept(new ExpressionVisitorAdapter<Void>() {
      @Override
      public <S> Void visit(Column column, S context) {
        found[0] |= names(column, target, bind);
        return null;
      }
    }, null);
    return found[0];
  }

  /** Whether {@code a} assigns {@code EXCLUDED.column}. */
  private static boolean isExcluded(Assignment a, String column) {
    Expression e = a.raw() == null ? null : ValueRules.strip(a.raw());
    return e instanceof Column c && c.getTable() != null
        && EXCLUDED.equals(Identifiers.fold(c.getTable().getName()))
        && column.equals(Identifiers.fold(c.getColumnName()));
  }
}
