package org.veil.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.Update;

/**
 * The tables that one SQL text writes rows to: the targets of its INSERT, UPDATE and MERGE
 * statements, data-modifying CTEs included. For checks that only some SQL needs (it parses), not
 * for every statement.
 */
public final class WriteTargets {

  /** A table written to: its schema as written (null when unqualified) and its name, folded. */
  public record Target(String schema, String name) {}

  private static final Set<String> WRITING_KEYWORDS = Set.of("INSERT", "UPDATE", "MERGE", "WITH");

  private WriteTargets() {}

  /**
   * The tables {@code sql} writes to.
   *
   * @return the targets, in textual order; null when the SQL cannot be parsed but may write
   *     (it starts with INSERT, UPDATE, MERGE or WITH), so the caller cannot rule a table out
   */
  public static List<Target> of(String sql) {
    List<Target> targets = new ArrayList<>();
    for (SqlSegment segment : StatementSplitter.split(sql)) {
      String keyword = segment.firstKeyword();
      if (!WRITING_KEYWORDS.contains(keyword)) {
        continue;
      }
      Statements statements;
      try {
        // Simple parsing only: JSqlParser's complex mode can take minutes on malformed input
        // (unclosed parentheses), and a text it cannot read is answered with null, which makes
        // the caller check the configured table instead of ruling it out.
        statements = CCJSqlParserUtil.newParser(segment.parserText())
            .withAllowComplexParsing(false).Statements();
      } catch (Exception | StackOverflowError unreadable) {
        return null;
      }
      if (statements == null) {
        return null;
      }
      for (Statement statement : statements) {
        collect(statement, targets);
      }
    }
    return targets;
  }

  private static void collect(Statement statement, List<Target> targets) {
    if (statement instanceof Insert insert) {
      withItems(insert.getWithItemsList(), targets);
      add(insert.getTable(), targets);
      if (insert.getSelect() != null) {
        collect(insert.getSelect(), targets);
      }
    } else if (statement instanceof Update update) {
      withItems(update.getWithItemsList(), targets);
      add(update.getTable(), targets);
    } else if (statement instanceof Merge merge) {
      withItems(merge.getWithItemsList(), targets);
      add(merge.getTable(), targets);
    } else if (statement instanceof Delete delete) {
      withItems(delete.getWithItemsList(), targets);
    } else if (statement instanceof Select select) {
      withItems(select.getWithItemsList(), targets);
    }
  }

  private static void withItems(List<WithItem<?>> items, List<Target> targets) {
    if (items == null) {
      return;
    }
    for (WithItem<?> item : items) {
      if (item.getInsert() != null) {
        collect(item.getInsert().getInsert(), targets);
      } else if (item.getUpdate() != null) {
        collect(item.getUpdate().getUpdate(), targets);
      } else if (item.getSelect() != null) {
        collect(item.getSelect(), targets);
      }
    }
  }

  private static void add(Table table, List<Target> targets) {
    if (table != null && table.getName() != null) {
      targets.add(new Target(Identifiers.fold(table.getSchemaName()),
          Identifiers.fold(table.getName())));
    }
  }
}
