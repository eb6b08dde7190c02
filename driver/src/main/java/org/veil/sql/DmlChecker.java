package org.veil.sql;

import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.expression.Expression;
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

  DmlChecker(StatementChecker checker) {
    this.checker = checker;
  }

  QueryShape insert(Insert insert, Scope parent) {
    Scope outer = checker.queries().withItems(insert.getWithItemsList(), parent);
    Source target = checker.queries().tableSource(insert.getTable(), outer);
    Select source = insert.getSelect();
    List<ColumnPolicy> targets = new ArrayList<>();
    boolean listed = insert.getColumns() != null && !insert.getColumns().isEmpty();
    if (listed) {
      for (Column column : insert.getColumns()) {
        targets.add(target.encrypted().get(Identifiers.fold(column.getColumnName())));
      }
    } else if (source != null && target.hasEncryptedColumns()) {
      throw RefusedStatement.missingColumnList(target.encrypted().values());
    }
    if (source instanceof Values values && values.getWithItemsList() == null) {
      for (List<Expression> row : QueryChecker.valueRows(values)) {
        for (int i = 0; i < row.size(); i++) {
          ColumnPolicy column = i < targets.size() ? targets.get(i) : null;
          checker.values().assign(column, checker.values().resolve(row.get(i), outer),
              "INSERT ... VALUES");
        }
      }
    } else if (source != null) {
      assignRows(targets, checker.queries().check(source, outer), "INSERT ... SELECT");
    }
    Scope scope = new Scope(outer);
    scope.add(target);
    InsertConflictAction conflict = insert.getConflictAction();
    if (conflict != null && conflict.getConflictActionType() == ConflictActionType.DO_UPDATE) {
      Scope conflictScope = new Scope(outer);
      conflictScope.add(target);
      conflictScope.add(new Source(null, EXCLUDED, null, target.encrypted()));
      updateSets(target, conflict.getUpdateSets(), conflictScope, "ON CONFLICT ... DO UPDATE SET");
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
    updateSets(target, update.getUpdateSets(), scope, "UPDATE ... SET");
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

  private void updateSets(Source target, List<UpdateSet> sets, Scope scope, String clause) {
    for (UpdateSet set : sets) {
      List<ColumnPolicy> targets = new ArrayList<>();
      for (Column column : set.getColumns()) {
        targets.add(target.encrypted().get(Identifiers.fold(column.getColumnName())));
      }
      ExpressionList<?> values = set.getValues();
      List<Expression> items = new ArrayList<>(values);
      if (targets.size() > 1 && items.size() == 1) {
        Expression only = items.get(0);
        if (only instanceof ParenthesedSelect subquery) {
          assignRows(targets, checker.queries().check(subquery, scope), clause);
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
        checker.values().assign(targets.get(i), checker.values().resolve(items.get(i), scope),
            clause);
      }
    }
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
