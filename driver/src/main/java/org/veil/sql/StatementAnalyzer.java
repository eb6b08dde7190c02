package org.veil.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * Decides, for one SQL text, which JDBC {@code ?} parameter binds which encrypted column, and
 * refuses SQL that would send plaintext to an encrypted column or make the server compute on one.
 *
 * <p>SQL that names no encrypted table ({@link EncryptedColumns#mayMention}) is not parsed at all.
 * Other SQL is parsed once per distinct text with JSqlParser and the resulting plan cached in a
 * bounded cache. Refusals are not cached.
 *
 * <p>A table named without a schema means what it means to the server: the relation of that
 * name first found on the session's search path, which the {@link SearchPathSource} tells. A
 * text whose plan depends on that is cached once per resolution of its configured table names,
 * so sessions with different search paths get their own plans and neither parses again.
 *
 * <p>Thread-safe; one instance per configuration.
 */
public final class StatementAnalyzer {

  /** Statements that define schema objects pass through when JSqlParser cannot read them. */
  private static final Set<String> DEFINITION_KEYWORDS =
      Set.of("CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT", "GRANT", "REVOKE");

  /** How many resolutions of one text's table names get a cached plan each. */
  private static final int MAX_RESOLUTIONS_PER_TEXT = 32;

  private static final int PATH_CHANGING = SessionEffects.SEARCH_PATH | SessionEffects.CATALOG
      | SessionEffects.TRANSACTION_END;

  private final EncryptedColumns columns;
  private final TableNames tables;
  private final Cache<String, Analyses> plans;
  private final AtomicLong parses = new AtomicLong();

  /**
   * @param columns the encrypted columns of the configuration
   * @param cacheSize how many distinct SQL texts to keep analysed plans for
   */
  public StatementAnalyzer(EncryptedColumns columns, int cacheSize) {
    this.columns = Objects.requireNonNull(columns, "columns");
    this.tables = new TableNames(columns);
    this.plans = Caffeine.newBuilder().maximumSize(cacheSize).build();
  }

  /**
   * The plan of {@code sql} with unqualified table names resolved as if the search path were
   * {@link SearchPath#ASSUMED_PUBLIC}: for callers with no session (benchmarks, tests).
   *
   * @throws VeilException {@code PLAINTEXT_REFUSED} or {@code OPERATION_REFUSED} when Veil
   *     refuses the SQL
   */
  public StatementPlan analyzePrepared(String sql) throws VeilException {
    return analyzePrepared(sql, SearchPathSource.ASSUMED_PUBLIC);
  }

  /**
   * The plan of a {@code PreparedStatement}'s SQL: which parameter binds which encrypted column,
   * with the table names resolved in {@code session}.
   *
   * @param session asked for the search path only when the text names a configured table
   *     without a schema
   * @throws VeilException {@code PLAINTEXT_REFUSED} or {@code OPERATION_REFUSED} when Veil refuses
   *     the SQL, {@code SEARCH_PATH_CHANGED} for a text that changes the path before a name, or
   *     when the search path is needed and {@code session} cannot tell it
   */
  public StatementPlan analyzePrepared(String sql, SearchPathSource session) throws VeilException {
    // The cache first: only statements that may mention an encrypted table are in it, and for
    // those the lookup costs less than scanning the text for table names again.
    Analyses cached = plans.getIfPresent(sql);
    if (cached != null) {
      if (cached.names.isEmpty()) {
        return cached.only;
      }
      StatementPlan plan = cached.byResolution.get(resolutionKey(cached.names, session));
      if (plan != null) {
        return plan;
      }
    } else if (!columns.mayMention(sql)) {
      return StatementPlan.plain(SessionEffects.of(sql));
    }
    return analyzeAndCache(sql, session, cached);
  }

  /**
   * The plan of {@code plan}'s text under {@code session}'s search path now: {@code plan} itself
   * when it does not depend on the path.
   *
   * @throws VeilException as {@link #analyzePrepared(String, SearchPathSource)}
   */
  public StatementPlan refresh(StatementPlan plan, SearchPathSource session) throws VeilException {
    return plan.dependsOnSearchPath() ? analyzePrepared(plan.sql(), session) : plan;
  }

  /**
   * Checks SQL for {@code Statement.execute*}, which has no parameters: the same checks as
   * {@link #analyzePrepared}, so any literal aimed at an encrypted column is refused.
   *
   * @return the plan, for its {@link StatementPlan#sessionEffects()} and whether it
   *     {@link StatementPlan#dependsOnSearchPath()}
   * @throws VeilException when Veil refuses the SQL
   */
  public StatementPlan checkUnprepared(String sql, SearchPathSource session) throws VeilException {
    return analyzePrepared(sql, session);
  }

  /** As {@link #checkUnprepared(String, SearchPathSource)} under the assumed search path. */
  public void checkUnprepared(String sql) throws VeilException {
    analyzePrepared(sql);
  }

  /** How many times JSqlParser was invoked; for tests of the pre-filter. */
  long parseCount() {
    return parses.get();
  }

  /** The analyses of one SQL text: one plan, or one per resolution of its table names. */
  private static final class Analyses {
    /** The configured names the text uses unqualified; empty when its plan is the same always. */
    final List<String> names;
    final StatementPlan only;
    final ConcurrentMap<Object, StatementPlan> byResolution = new ConcurrentHashMap<>();

    Analyses(List<String> names, StatementPlan only) {
      this.names = List.copyOf(names);
      this.only = only;
    }
  }

  /** Where each of {@code names} resolves in {@code session}: the key of a cached plan. */
  private Object resolutionKey(List<String> names, SearchPathSource session)
      throws VeilException {
    SearchPath path;
    try {
      path = session.searchPath(tables.names());
    } catch (SQLException e) {
      throw unavailable(names.get(0), e);
    }
    if (names.size() == 1) {
      return tables.resolve(names.get(0), path);
    }
    List<String> key = new ArrayList<>(names.size());
    for (String name : names) {
      key.add(tables.resolve(name, path));
    }
    return key;
  }

  private StatementPlan analyzeAndCache(String sql, SearchPathSource session, Analyses cached)
      throws VeilException {
    SessionNames names = new SessionNames(tables, session);
    StatementPlan plan;
    try {
      plan = analyze(sql, names);
    } catch (SessionNames.Unavailable e) {
      throw unavailable(e.table, e.cause());
    }
    List<String> asked = names.asked();
    if (cached == null) {
      Analyses fresh = new Analyses(asked, asked.isEmpty() ? plan : null);
      cached = plans.asMap().putIfAbsent(sql, fresh);
      if (cached == null) {
        cached = fresh;
      }
    }
    if (!asked.isEmpty() && asked.equals(cached.names)
        && cached.byResolution.size() < MAX_RESOLUTIONS_PER_TEXT) {
      cached.byResolution.putIfAbsent(names.keyOf(asked), plan);
    }
    return plan;
  }

  /**
   * The search path could not be read; the cause is the session's {@link SQLException}, whose
   * SQLSTATE the JDBC layer keeps when it says the connection is broken.
   */
  private VeilException unavailable(String table, SQLException cause) {
    return new VeilException(VeilError.SEARCH_PATH_UNREADABLE, "Veil needs the session's"
        + " search path to tell which table " + table + " means (encrypted column(s) "
        + RefusedStatement.names(tables.columnsNamed(table)) + "), and cannot have it: "
        + cause.getMessage(), cause);
  }

  /** The uncached analysis under the assumed search path; the analysis benchmark measures it. */
  private StatementPlan analyze(String sql) throws VeilException {
    return analyze(sql, new SessionNames(tables, SearchPathSource.ASSUMED_PUBLIC));
  }

  private StatementPlan analyze(String sql, SessionNames names) throws VeilException {
    List<SqlSegment> segments = StatementSplitter.split(sql);
    StatementChecker checker = new StatementChecker(columns, names);
    int parameterCount = 0;
    int effects = SessionEffects.NONE;
    try {
      for (SqlSegment segment : segments) {
        checker.bindings().startStatement(parameterCount, segment.parameterCount());
        checkSegment(segment, checker);
        parameterCount += segment.parameterCount();
        int segmentEffects = SessionEffects.ofSegment(segment.parserText());
        if ((segmentEffects & PATH_CHANGING) != 0) {
          // pgjdbc sends the statements of one text together; the server resolves the names of
          // the later ones under whatever this one leaves.
          names.unsettle();
        }
        effects |= segmentEffects;
      }
    } catch (RefusedStatement refused) {
      throw refused.toVeilException();
    }
    BindingSource[] sources;
    try {
      sources = checker.bindings().sourcesArray(parameterCount);
    } catch (RefusedStatement refused) {
      throw refused.toVeilException();
    }
    return StatementPlan.of(parameterCount, checker.bindings().toArray(parameterCount),
        names.asked().isEmpty() ? null : sql, effects, sources,
        checker.bindings().bindingValuesArray(parameterCount));
  }

  private void checkSegment(SqlSegment segment, StatementChecker checker) {
    String text = segment.parserText();
    String keyword = segment.firstKeyword();
    if (keyword.equals("COPY")) {
      CopyStatement.check(columns, checker.names(), text);
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
    } catch (RefusedStatement | SessionNames.Unavailable stop) {
      throw stop;
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
