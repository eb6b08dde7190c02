package org.veil.sql;

import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.delete.ParenthesedDelete;
import net.sf.jsqlparser.statement.insert.ParenthesedInsert;
import net.sf.jsqlparser.statement.update.ParenthesedUpdate;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Distinct;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import org.veil.config.ColumnPolicy;

/**
 * Checks a query (SELECT, set operation, VALUES, with its CTEs) and returns the shape of its
 * output. Selecting an encrypted column is fine (the result side decrypts it); sorting, grouping
 * or computing on one is refused.
 */
final class QueryChecker {

  private final StatementChecker checker;

  QueryChecker(StatementChecker checker) {
    this.checker = checker;
  }

  QueryShape check(Select select, Scope parent) {
    Scope scope = withItems(select.getWithItemsList(), parent);
    if (select instanceof PlainSelect plain) {
      return plainSelect(plain, scope);
    }
    if (select instanceof ParenthesedSelect parenthesed) {
      return check(parenthesed.getSelect(), scope);
    }
    if (select instanceof SetOperationList setOperation) {
      return setOperation(setOperation, scope);
    }
    if (select instanceof Values values) {
      return values(values, scope);
    }
    throw new UnanalysableStatement(select.getClass().getSimpleName());
  }

  /** A scope holding {@code items} as CTEs, or {@code parent} itself when there are none. */
  Scope withItems(List<WithItem<?>> items, Scope parent) {
    if (items == null || items.isEmpty()) {
      return parent;
    }
    Scope scope = new Scope(parent);
    for (WithItem<?> item : items) {
      String name = Identifiers.fold(item.getAliasName());
      Object statement = item.getParenthesedStatement();
      QueryShape shape;
      if (statement instanceof ParenthesedSelect select) {
        shape = check(select, scope);
      } else if (statement instanceof ParenthesedInsert insert) {
        shape = checker.dml().insert(insert.getInsert(), scope);
      } else if (statement instanceof ParenthesedUpdate update) {
        shape = checker.dml().update(update.getUpdate(), scope);
      } else if (statement instanceof ParenthesedDelete delete) {
        shape = checker.dml().delete(delete.getDelete(), scope);
      } else {
        throw new UnanalysableStatement("WITH item");
      }
      List<String> renames = new ArrayList<>();
      if (item.getWithItemList() != null) {
        for (SelectItem<?> column : item.getWithItemList()) {
          renames.add(Identifiers.fold(column.getExpression().toString()));
        }
      }
      scope.addCte(name, Source.derived(name, shape.encryptedByName(renames)));
    }
    return scope;
  }

  private QueryShape plainSelect(PlainSelect select, Scope parent) {
    Scope scope = new Scope(parent);
    if (select.getFromItem() != null) {
      addFromItem(select.getFromItem(), scope);
    }
    addJoins(select.getJoins(), scope);
    checker.expressions().condition(select.getWhere(), scope);
    List<QueryShape.Output> outputs = new ArrayList<>();
    boolean hasStar = selectItems(select.getSelectItems(), scope, outputs);
    Distinct distinct = select.getDistinct();
    if (distinct != null && distinct.getOnSelectItems() != null) {
      for (SelectItem<?> item : distinct.getOnSelectItems()) {
        refuseSortKey(item.getExpression(), outputs, scope, "DISTINCT ON");
      }
    }
    GroupByElement groupBy = select.getGroupBy();
    if (groupBy != null) {
      ExpressionList<?> keys = groupBy.getGroupByExpressionList();
      if (keys != null) {
        for (Expression key : keys) {
          refuseSortKey(key, outputs, scope, "GROUP BY");
        }
      }
      if (groupBy.getGroupingSets() != null) {
        for (ExpressionList<?> set : groupBy.getGroupingSets()) {
          for (Expression key : set) {
            refuseSortKey(key, outputs, scope, "GROUP BY");
          }
        }
      }
    }
    checker.expressions().condition(select.getHaving(), scope);
    orderBy(select.getOrderByElements(), outputs, scope);
    limit(select.getLimit(), scope);
    if (select.getOffset() != null) {
      checker.expressions().walk(select.getOffset().getOffset(), scope, "OFFSET");
    }
    if (select.getFetch() != null) {
      checker.expressions().walk(select.getFetch().getExpression(), scope, "FETCH");
    }
    return new QueryShape(List.of(outputs), hasStar);
  }

  private void limit(Limit limit, Scope scope) {
    if (limit != null) {
      checker.expressions().walk(limit.getRowCount(), scope, "LIMIT");
      checker.expressions().walk(limit.getOffset(), scope, "OFFSET");
    }
  }

  void addFromItem(FromItem item, Scope scope) {
    String alias = aliasName(item.getAlias());
    if (item instanceof Table table) {
      scope.add(tableSource(table, scope));
    } else if (item instanceof LateralSubSelect lateral) {
      QueryShape shape = check(lateral.getSelect(), scope);
      scope.add(Source.derived(alias, shape.encryptedByName(aliasColumns(item.getAlias()))));
    } else if (item instanceof ParenthesedSelect subquery) {
      QueryShape shape = check(subquery.getSelect(), scope.parent());
      scope.add(Source.derived(alias, shape.encryptedByName(aliasColumns(item.getAlias()))));
    } else if (item instanceof ParenthesedFromItem nested) {
      addFromItem(nested.getFromItem(), scope);
      addJoins(nested.getJoins(), scope);
    } else if (item instanceof TableFunction function) {
      checker.expressions().walk(function.getFunction(), scope, "a table function");
      scope.add(Source.derived(alias == null ? "" : alias, java.util.Map.of()));
    } else {
      throw new UnanalysableStatement(item.getClass().getSimpleName());
    }
  }

  /**
   * A base table or CTE reference, as it is named in this scope: an unqualified name that is no
   * CTE's means the table the session's search path finds.
   */
  Source tableSource(Table table, Scope scope) {
    String schema = Identifiers.fold(table.getSchemaName());
    String name = Identifiers.fold(table.getName());
    String alias = aliasName(table.getAlias());
    Source cte = schema == null ? scope.cte(name) : null;
    Source source = cte != null ? cte.withAlias(alias)
        : Source.table(checker.columns(),
            schema == null ? checker.names().schemaOf(name) : schema, name, alias);
    if (!aliasColumns(table.getAlias()).isEmpty() && source.hasEncryptedColumns()) {
      throw new UnanalysableStatement("column aliases on a table with encrypted columns");
    }
    return source;
  }

  void addJoins(List<Join> joins, Scope scope) {
    if (joins == null) {
      return;
    }
    for (Join join : joins) {
      List<Source> before = new ArrayList<>(scope.sources());
      addFromItem(join.getFromItem(), scope);
      Source joined = scope.sources().get(scope.sources().size() - 1);
      if (join.isNatural() && (joined.hasEncryptedColumns()
          || before.stream().anyMatch(Source::hasEncryptedColumns))) {
        ColumnPolicy any = joined.hasEncryptedColumns()
            ? joined.encrypted().values().iterator().next()
            : before.stream().filter(Source::hasEncryptedColumns).findFirst().orElseThrow()
                .encrypted().values().iterator().next();
        throw RefusedStatement.operation(any, "NATURAL JOIN (write JOIN ... ON instead)");
      }
      if (join.getUsingColumns() != null) {
        for (Column column : join.getUsingColumns()) {
          usingColumn(Identifiers.fold(column.getColumnName()), before, joined);
        }
      }
      if (join.getOnExpressions() != null) {
        for (Expression on : join.getOnExpressions()) {
          checker.expressions().condition(on, scope);
        }
      }
    }
  }

  /** {@code JOIN ... USING (name)} compares the column of that name on both sides. */
  private void usingColumn(String name, List<Source> left, Source right) {
    ColumnPolicy leftColumn = null;
    for (Source source : left) {
      if (source.encrypted().containsKey(name)) {
        leftColumn = source.encrypted().get(name);
      }
    }
    ColumnPolicy rightColumn = right.encrypted().get(name);
    if (leftColumn == null && rightColumn == null) {
      return;
    }
    checker.values().compare(new Operand(leftColumn, new Column(name), null),
        new Operand(rightColumn, new Column(name), null), "= (JOIN USING)");
  }

  /** Adds the outputs of {@code items}; returns whether a * was among them. */
  boolean selectItems(List<SelectItem<?>> items, Scope scope, List<QueryShape.Output> outputs) {
    boolean hasStar = false;
    for (SelectItem<?> item : items) {
      Expression expression = item.getExpression();
      if (expression instanceof AllColumns && !(expression instanceof AllTableColumns)) {
        hasStar = true;
        for (ColumnPolicy column : scope.encryptedColumns()) {
          outputs.add(new QueryShape.Output(column.column(), null, scope, column));
        }
        continue;
      }
      if (expression instanceof AllTableColumns tableColumns) {
        hasStar = true;
        for (Source source : scope.sourcesNamed(tableColumns.getTable())) {
          source.encrypted().forEach((name, column) ->
              outputs.add(new QueryShape.Output(name, null, scope, column)));
        }
        continue;
      }
      Operand operand = checker.values().resolve(expression, scope);
      if (!operand.isEncryptedColumn() && !(operand.expression() instanceof Column)) {
        checker.expressions().walk(expression, scope, "an expression in the select list");
      }
      String name = item.getAlias() != null ? aliasName(item.getAlias())
          : operand.expression() instanceof Column column
              ? Identifiers.fold(column.getColumnName()) : null;
      outputs.add(new QueryShape.Output(name, operand.expression(), operand.scope(),
          operand.column()));
    }
    return hasStar;
  }

  void orderBy(List<OrderByElement> elements, List<QueryShape.Output> outputs, Scope scope) {
    if (elements != null) {
      for (OrderByElement element : elements) {
        refuseSortKey(element.getExpression(), outputs, scope, "ORDER BY");
      }
    }
  }

  /**
   * Refuses an encrypted column as a sort or grouping key, named directly, by output name or by
   * output position.
   */
  private void refuseSortKey(Expression key, List<QueryShape.Output> outputs, Scope scope,
      String clause) {
    Expression stripped = ValueRules.strip(key);
    if (stripped instanceof LongValue position) {
      int index = (int) position.getValue() - 1;
      if (index >= 0 && index < outputs.size() && outputs.get(index).column() != null) {
        throw RefusedStatement.operation(outputs.get(index).column(), clause);
      }
      return;
    }
    if (stripped instanceof Column column && column.getTable() == null) {
      String name = Identifiers.fold(column.getColumnName());
      for (QueryShape.Output output : outputs) {
        if (name.equals(output.name()) && output.column() != null) {
          throw RefusedStatement.operation(output.column(), clause);
        }
      }
    }
    if (scope != null) {
      checker.expressions().walk(stripped, scope, clause);
    }
  }

  private QueryShape setOperation(SetOperationList list, Scope parent) {
    List<List<QueryShape.Output>> rows = new ArrayList<>();
    boolean hasStar = false;
    for (Select branch : list.getSelects()) {
      QueryShape shape = check(branch, parent);
      hasStar |= shape.hasStar();
      rows.addAll(shape.rows());
    }
    if (!hasStar) {
      requireAlikeColumns(rows, "a UNION, INTERSECT or EXCEPT");
    }
    if (!rows.isEmpty()) {
      orderBy(list.getOrderByElements(), rows.get(0), null);
    }
    limit(list.getLimit(), parent);
    return new QueryShape(rows, hasStar);
  }

  private QueryShape values(Values values, Scope scope) {
    List<List<QueryShape.Output>> rows = new ArrayList<>();
    for (List<Expression> row : valueRows(values)) {
      List<QueryShape.Output> outputs = new ArrayList<>();
      for (Expression expression : row) {
        Operand operand = checker.values().resolve(expression, scope);
        if (!operand.isEncryptedColumn() && !(operand.expression() instanceof Column)) {
          checker.expressions().walk(expression, scope, "a VALUES list");
        }
        outputs.add(new QueryShape.Output(null, operand.expression(), scope, operand.column()));
      }
      rows.add(outputs);
    }
    requireAlikeColumns(rows, "a VALUES list");
    return new QueryShape(rows, false);
  }

  /** The rows of a VALUES list: JSqlParser gives one row unwrapped, several as a list of lists. */
  static List<List<Expression>> valueRows(Values values) {
    List<List<Expression>> rows = new ArrayList<>();
    ExpressionList<?> expressions = values.getExpressions();
    if (expressions instanceof ParenthesedExpressionList<?> single) {
      rows.add(new ArrayList<>(single));
      return rows;
    }
    for (Expression row : expressions) {
      if (row instanceof ParenthesedExpressionList<?> items) {
        rows.add(new ArrayList<>(items));
      } else {
        rows.add(List.of(row));
      }
    }
    return rows;
  }

  /** Rows that feed one output column must agree on how that column is sealed. */
  private static void requireAlikeColumns(List<List<QueryShape.Output>> rows, String clause) {
    if (rows.size() < 2) {
      return;
    }
    List<QueryShape.Output> first = rows.get(0);
    for (List<QueryShape.Output> row : rows.subList(1, rows.size())) {
      for (int i = 0; i < Math.min(first.size(), row.size()); i++) {
        ColumnPolicy a = first.get(i).column();
        ColumnPolicy b = row.get(i).column();
        if (a == null && b == null || a != null && b != null && ValueRules.sealedAlike(a, b)) {
          continue;
        }
        if (a == null && isNullOrParameter(first.get(i)) || b == null && isNullOrParameter(row.get(i))) {
          continue;
        }
        throw RefusedStatement.differentContexts(a != null ? a : b, a != null ? b : null, clause);
      }
    }
  }

  private static boolean isNullOrParameter(QueryShape.Output output) {
    Expression expression = output.expression();
    return expression instanceof net.sf.jsqlparser.expression.NullValue
        || expression instanceof net.sf.jsqlparser.expression.JdbcParameter;
  }

  static String aliasName(Alias alias) {
    return alias == null ? null : Identifiers.fold(alias.getName());
  }

  private static List<String> aliasColumns(Alias alias) {
    List<String> names = new ArrayList<>();
    if (alias != null && alias.getAliasColumns() != null) {
      for (Alias.AliasColumn column : alias.getAliasColumns()) {
        names.add(Identifiers.fold(column.name));
      }
    }
    return names;
  }
}
