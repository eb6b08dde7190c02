package org.veil.sql;

import net.sf.jsqlparser.statement.ExplainStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.comment.Comment;
import net.sf.jsqlparser.statement.create.index.CreateIndex;
import net.sf.jsqlparser.statement.create.schema.CreateSchema;
import net.sf.jsqlparser.statement.create.sequence.CreateSequence;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.create.view.AlterView;
import net.sf.jsqlparser.statement.create.view.CreateView;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.grant.Grant;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.Update;
import org.veil.config.EncryptedColumns;

/**
 * Checks the parsed statements of one SQL text against the encrypted columns, collecting which
 * parameter binds which column. One instance per analysis; not thread-safe.
 */
final class StatementChecker {

  private final EncryptedColumns columns;
  private final SessionNames names;
  private final ParameterBindings bindings = new ParameterBindings();
  private final ExpressionChecker expressions = new ExpressionChecker(this);
  private final ValueRules values = new ValueRules(this);
  private final QueryChecker queries = new QueryChecker(this);
  private final DmlChecker dml = new DmlChecker(this);

  StatementChecker(EncryptedColumns columns, SessionNames names) {
    this.columns = columns;
    this.names = names;
  }

  /**
   * Checks one statement.
   *
   * @throws RefusedStatement when it would expose or compute on an encrypted column
   * @throws UnanalysableStatement when it uses syntax this analysis does not model
   */
  void check(Statement statement) {
    Scope root = new Scope(null);
    if (statement instanceof Select select) {
      queries.check(select, root);
    } else if (statement instanceof Insert insert) {
      dml.insert(insert, root);
    } else if (statement instanceof Update update) {
      dml.update(update, root);
    } else if (statement instanceof Delete delete) {
      dml.delete(delete, root);
    } else if (statement instanceof ExplainStatement explain) {
      check(explain.getStatement());
    } else if (statement instanceof CreateTable create) {
      // DDL passes, but a query inside it must not carry plaintext for an encrypted column.
      if (create.getSelect() != null) {
        queries.check(create.getSelect(), root);
      }
    } else if (statement instanceof CreateView view) {
      queries.check(view.getSelect(), root);
    } else if (!isDefinition(statement)) {
      throw new UnanalysableStatement(statement.getClass().getSimpleName());
    }
  }

  private static boolean isDefinition(Statement statement) {
    return statement instanceof Alter || statement instanceof AlterView
        || statement instanceof CreateIndex || statement instanceof CreateSchema
        || statement instanceof CreateSequence || statement instanceof Drop
        || statement instanceof Truncate || statement instanceof Comment
        || statement instanceof Grant;
  }

  EncryptedColumns columns() {
    return columns;
  }

  /** Where the statement's unqualified table names resolve. */
  SessionNames names() {
    return names;
  }

  ParameterBindings bindings() {
    return bindings;
  }

  ExpressionChecker expressions() {
    return expressions;
  }

  ValueRules values() {
    return values;
  }

  QueryChecker queries() {
    return queries;
  }

  DmlChecker dml() {
    return dml;
  }
}
