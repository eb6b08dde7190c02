package org.veil.sql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.ReturningClause;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.ConflictActionType;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.InsertConflictAction;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;
import org.veil.config.ColumnPolicy;

/**
 * Checks INSERT, UPDATE and DELETE: matches every value written to its target column, checks
 * their conditions, and returns the shape of their RETURNING list.
 */
final class DmlChecker {

  private static final String EXCLUDED = "excluded";

  private final StatementChecker checker;
  private final RowBindingRules rowBindings;

  DmlChecker(StatementChecker checker) {
    this.checker = checker;
    this.rowBindings = new RowBindingRules(checker);
  }

  QueryShape insert(Insert insert, Scope parent) {
    Scope outer = checker.queries().withItems(insert.getWithItemsList(), parent);
    Source target = checker.queries().tableSource(insert.getTable(), outer);
    Select source = insert.getSelect();
    List<ColumnPolicy> targets = new ArrayList<>();
    List<String> names = new ArrayList<>();
    boolean listed = insert.getColumns() != null && !insert.getColumns().isEmpty();
    if (listed) {
      for (Column column : insert.getColumns()) {
        String name = Identifiers.fold(column.getColumnName());
        names.add(name);
        targets.add(target.encrypted().get(name));
      }
    } else if (source != null && target.hasEncryptedColumns()) {
      throw RefusedStatement.missingColumnList(target.encrypted().values());
    }
    boolean rowBound = hasRowBound(target);
    List<List<Expression>> rows = null;
    if (source instanceof Values values && values.getWithItemsList() == null) {
      rows = QueryChecker.valueRows(values);
      for (List<Expression> row : rows) {
        Operand[] operands = new Operand[row.size()];
        JdbcParameter[] sealed = new JdbcParameter[row.size()];
        for (int i = 0; i < row.size(); i++) {
          ColumnPolicy column = i < targets.size() ? targets.get(i) : null;
          operands[i] = checker.values().resolve(row.get(i), outer);
          sealed[i] = checker.values().assign(column, operands[i], "INSERT ... VALUES");
        }
        if (rowBound) {
          rowBindings.insertRow(names, targets, row, operands, sealed);
        }
      }
    } else if (source != null) {
      rowBindings.refuseQuerySource(targets, "INSERT ... SELECT");
      assignRows(targets, checker.queries().check(source, outer), "INSERT ... SELECT");
    }
    Scope scope = new Scope(outer);
    scope.add(target);
    InsertConflictAction conflict = insert.getConflictAction();
    if (conflict != null && conflict.getConflictActionType() == ConflictActionType.DO_UPDATE) {
      Scope conflictScope = new Scope(outer);
      conflictScope.add(target);
      conflictScope.add(new Source(null, EXCLUDED, null, target.encrypted()));
      Map<String, RowBindingRules.Assignment> assigned = updateSets(target,
          conflict.getUpdateSets(), conflictScope, "ON CONFLICT ... DO UPDATE SET");
      if (rowBound) {
        rowBindings.conflictUpdate(target, insert.getConflictTarget(), names, rows, assigned);
      }
      checker.expressions().condition(conflict.getWhereExpression(), conflictScope);
    }
    return returning(insert.getReturningClause(), scope);
  }

  QueryShape update(Update update, Scope parent) {
    Scope outer = checker.queries().withItems(update.getWithItemsList(), parent);
    Scope scope = new Scope(outer);
    Source target = checker.queries().tableSource(update.getTable(), outer);
    scope.add(target);
    if (update.getStartJoins() != null && !update.getStartJoins().isEmpty()) {
      throw new UnanalysableStatement("UPDATE with joins before SET");
    }
    if (update.getFromItem() != null) {
      checker.queries().addFromItem(update.getFromItem(), scope);
    }
    checker.queries().addJoins(update.getJoins(), scope);
    Map<String, RowBindingRules.Assignment> assigned = updateSets(target, update.getUpdateSets(),
        scope, "UPDATE ... SET");
    if (hasRowBound(target)) {
      rowBindings.update(target, assigned, update.getWhere(), "UPDATE ... SET");
    }
    checker.expressions().condition(update.getWhere(), scope);
    return returning(update.getReturningClause(), scope);
  }

  QueryShape delete(Delete delete, Scope parent) {
    Scope outer = checker.queries().withItems(delete.getWithItemsList(), parent);
    Scope scope = new Scope(outer);
    scope.add(checker.queries().tableSource(delete.getTable(), outer));
    if (delete.getUsingList() != null) {
      for (Table table : delete.getUsingList()) {
        checker.queries().addFromItem(table, scope);
      }
    }
    checker.queries().addJoins(delete.getJoins(), scope);
    checker.expressions().condition(delete.getWhere(), scope);
    return returning(delete.getReturningClause(), scope);
  }

  /** Whether a table has a row-bound encrypted column, whose writes need a binding value. */
  private static boolean hasRowBound(Source target) {
    for (ColumnPolicy column : target.encrypted().values()) {
      if (column.isRowBound()) {
        return true;
      }
    }
    return false;
  }

  /** Checks a SET list; returns what it assigns, by folded column name. */
  private Map<String, RowBindingRules.Assignment> updateSets(Source target, List<UpdateSet> sets,
      Scope scope, String clause) {
    Map<String, RowBindingRules.Assignment> assigned = new HashMap<>();
    for (UpdateSet set : sets) {
      List<ColumnPolicy> targets = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (Column column : set.getColumns()) {
        String name = Identifiers.fold(column.getColumnName());
        names.add(name);
        targets.add(target.encrypted().get(name));
      }
      ExpressionList<?> values = set.getValues();
      List<Expression> items = new ArrayList<>(values);
      if (targets.size() > 1 && items.size() == 1) {
        Expression only = items.get(0);
        if (only instanceof ParenthesedSelect subquery) {
          assignRows(targets, checker.queries().check(subquery, scope), clause);
          for (String name : names) {
            assigned.put(name, new RowBindingRules.Assignment(null, null, null, true));
          }
          continue;
        }
        if (only instanceof ParenthesedExpressionList<?> row) {
          items = new ArrayList<>(row);
        }
      }
      if (items.size() != targets.size()) {
        throw new UnanalysableStatement("SET list of unequal lengths");
      }
      for (int i = 0; i < items.size(); i++) {
        Operand value = checker.values().resolve(items.get(i), scope);
        JdbcParameter sealed = checker.values().assign(targets.get(i), value, clause);
        assigned.put(names.get(i),
            new RowBindingRules.Assignment(items.get(i), value, sealed, false));
      }
    }
    return assigned;
  }

  /** Writes each output row of a query into {@code targets} by position. */
  private void assignRows(List<ColumnPolicy> targets, QueryShape shape, String clause) {
    if (shape.hasStar()) {
      List<ColumnPolicy> involved = new ArrayList<>(shape.encryptedOutputs());
      targets.stream().filter(column -> column != null).forEach(involved::add);
      if (!involved.isEmpty()) {
        throw RefusedStatement.unknownPositions(involved, clause);
      }
      return;
    }
    for (List<QueryShape.Output> row : shape.rows()) {
      for (int i = 0; i < row.size(); i++) {
        QueryShape.Output output = row.get(i);
        ColumnPolicy column = i < targets.size() ? targets.get(i) : null;
        Operand value = output.column() != null
            ? new Operand(output.column(), output.expression(), output.scope())
            : new Operand(null, output.expression(), output.scope());
        if (column == null && value.isEncryptedColumn()) {
          throw RefusedStatement.differentContexts(value.column(), null, clause);
        }
        if (column != null) {
          checker.values().assign(column, value, clause);
        }
      }
    }
  }

  private QueryShape returning(ReturningClause returning, Scope scope) {
    if (returning == null || returning.isEmpty()) {
      return QueryShape.EMPTY;
    }
    List<QueryShape.Output> outputs = new ArrayList<>();
    boolean hasStar = checker.queries().selectItems(returning, scope, outputs);
    return new QueryShape(List.of(outputs), hasStar);
  }
}
