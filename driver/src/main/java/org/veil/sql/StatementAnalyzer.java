package org.veil.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.error.VeilException;

/**
 * Decides, for one SQL text, which JDBC {@code ?} parameter binds which encrypted column, and
 * refuses SQL that would send plaintext to an encrypted column or make the server compute on one.
 *
 * <p>SQL that names no encrypted table ({@link EncryptedColumns#mayMention}) is not parsed at all.
 * Other SQL is parsed once per distinct text with JSqlParser and the resulting plan cached in a
 * bounded cache. Refusals are not cached.
 *
 * <p>Thread-safe; one instance per configuration.
 */
public final class StatementAnalyzer {

  /** Statements that define schema objects pass through when JSqlParser cannot read them. */
  private static final Set<String> DEFINITION_KEYWORDS =
      Set.of("CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT", "GRANT", "REVOKE");

  private final EncryptedColumns columns;
  private final Cache<String, StatementPlan> plans;
  private final AtomicLong parses = new AtomicLong();

  /**
   * @param columns the encrypted columns of the configuration
   * @param cacheSize how many distinct SQL texts to keep analysed plans for
   */
  public StatementAnalyzer(EncryptedColumns columns, int cacheSize) {
    this.columns = Objects.requireNonNull(columns, "columns");
    this.plans = Caffeine.newBuilder().maximumSize(cacheSize).build();
  }

  /**
   * The plan of a {@code PreparedStatement}'s SQL: which parameter binds which encrypted column.
   *
   * @throws VeilException {@code PLAINTEXT_REFUSED} or {@code OPERATION_REFUSED} when Veil
   *     refuses the SQL
   */
  public StatementPlan analyzePrepared(String sql) throws VeilException {
    // The cache first: only statements that may mention an encrypted table are in it, and for
    // those the lookup costs less than scanning the text for table names again.
    StatementPlan cached = plans.getIfPresent(sql);
    if (cached != null) {
      return cached;
    }
    if (!columns.mayMention(sql)) {
      return StatementPlan.PLAIN;
    }
    StatementPlan plan = analyze(sql);
    plans.put(sql, plan);
    return plan;
  }

  /**
   * Checks SQL for {@code Statement.execute*}, which has no parameters: the same checks as
   * {@link #analyzePrepared}, so any literal aimed at an encrypted column is refused.
   *
   * @throws VeilException {@code PLAINTEXT_REFUSED} or {@code OPERATION_REFUSED} when Veil
   *     refuses the SQL
   */
  public void checkUnprepared(String sql) throws VeilException {
    analyzePrepared(sql);
  }

  /** How many times JSqlParser was invoked; for tests of the pre-filter. */
  long parseCount() {
    return parses.get();
  }

  private StatementPlan analyze(String sql) throws VeilException {
    List<SqlSegment> segments = StatementSplitter.split(sql);
    StatementChecker checker = new StatementChecker(columns);
    int parameterCount = 0;
    try {
      for (SqlSegment segment : segments) {
        checker.bindings().startStatement(parameterCount, segment.parameterCount());
        checkSegment(segment, checker);
        parameterCount += segment.parameterCount();
      }
    } catch (RefusedStatement refused) {
      throw refused.toVeilException();
    }
    return StatementPlan.of(parameterCount, checker.bindings().toArray(parameterCount));
  }

  private void checkSegment(SqlSegment segment, StatementChecker checker) {
    String text = segment.parserText();
    String keyword = segment.firstKeyword();
    if (keyword.equals("COPY")) {
      CopyStatement.check(columns, text);
      return;
    }
    if (!columns.mayMention(text)) {
      return;
    }
    List<Statement> statements = parse(text);
    if (statements == null) {
      if (!DEFINITION_KEYWORDS.contains(keyword)) {
        EncryptedNameScan.refuseIfMentioned(columns, text);
      }
      return;
    }
    try {
      for (Statement statement : statements) {
        checker.check(statement);
      }
    } catch (RefusedStatement refused) {
      throw refused;
    } catch (RuntimeException unexpectedShape) {
      // UnanalysableStatement, or a syntax tree of a shape this analysis did not expect.
      EncryptedNameScan.refuseIfMentioned(columns, text);
      ColumnPolicy bound = checker.bindings().anyBoundInStatement();
      if (bound != null) {
        throw RefusedStatement.unanalysable(bound);
      }
      return;
    }
    if (checker.bindings().boundInStatement()
        && (segment.parameterFollowedByDigit()
            || parserParameterCount(text) != segment.parameterCount())) {
      // JSqlParser and pgjdbc disagree on where the ?s are, so the numbering cannot be trusted.
      throw RefusedStatement.unanalysable(checker.bindings().anyBoundInStatement());
    }
  }

  /** The statements JSqlParser reads in {@code text}, or null when it cannot parse it. */
  private List<Statement> parse(String text) {
    parses.incrementAndGet();
    for (boolean complex : new boolean[] {false, true}) {
      try {
        CCJSqlParser parser = CCJSqlParserUtil.newParser(text).withAllowComplexParsing(complex);
        Statements statements = parser.Statements();
        if (statements != null && !statements.isEmpty()) {
          return statements;
        }
      } catch (Exception | StackOverflowError unreadable) {
        // try the next mode, then give up
      }
    }
    return null;
  }

  /** How many {@code ?} tokens JSqlParser's own lexer sees. */
  private static int parserParameterCount(String text) {
    CCJSqlParser parser = CCJSqlParserUtil.newParser(text);
    int count = 0;
    try {
      for (Token token = parser.getNextToken(); token.kind != CCJSqlParserConstants.EOF;
          token = parser.getNextToken()) {
        if (token.image.startsWith("?")) {
          count++;
        }
      }
    } catch (RuntimeException | Error lexicalError) {
      return -1;
    }
    return count;
  }
}
