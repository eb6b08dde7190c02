package org.veil.sql;

import java.util.Locale;
import java.util.Set;

/**
 * What running a SQL text may do to how the session resolves table names, read from the text
 * alone: change the search path (or the role, whose {@code $user} and schema privileges the path
 * depends on), change the catalog (create, drop, rename or move relations or schemas, grant), or
 * end the transaction (so that settings made in it revert).
 *
 * <p>It errs toward reporting an effect: a false one costs one catalog read before the next
 * statement that names an encrypted table without a schema; a missed one could resolve a name to
 * the wrong table. What it cannot see is stated in the README: a function or procedure body that
 * sets the path or runs DDL (other than {@code CALL} and {@code DO}, which always count), and
 * statements sent on the unwrapped pgjdbc connection. Stateless.
 */
public final class SessionEffects {

  public static final int NONE = 0;
  /** May change the search path or the role. */
  public static final int SEARCH_PATH = 1;
  /** May create, drop, rename or move relations or schemas, or change privileges. */
  public static final int CATALOG = 2;
  /** Commits or rolls back (also to a savepoint): settings made in the transaction may revert. */
  public static final int TRANSACTION_END = 4;

  /** Setting names whose change changes what the search path finds; lower case. */
  private static final Set<String> PATH_SETTINGS =
      Set.of("search_path", "schema", "role", "authorization", "session_authorization");
  private static final Set<String> RESET_PATH_SETTINGS =
      Set.of("search_path", "role", "session", "session_authorization", "all");
  private static final Set<String> DDL = Set.of("CREATE", "ALTER", "DROP", "GRANT", "REVOKE",
      "IMPORT", "REASSIGN");
  private static final Set<String> TRANSACTION_ENDS = Set.of("COMMIT", "END", "ROLLBACK",
      "ABORT", "PREPARE");
  /** Every leading keyword with an effect; any other first word has none. */
  private static final String[] KEYWORDS = {"SET", "RESET", "DISCARD", "DO", "CALL", "CREATE",
      "ALTER", "DROP", "GRANT", "REVOKE", "IMPORT", "REASSIGN", "COMMIT", "END", "ROLLBACK",
      "ABORT", "PREPARE"};

  private SessionEffects() {}

  /** The effects of a whole SQL text, which may hold several statements. */
  static int of(String sql) {
    int effects = mentionsPathSettings(sql) ? SEARCH_PATH : NONE;
    if (sql.indexOf(';') < 0) {
      return effects | ofStatement(sql);
    }
    for (SqlSegment segment : StatementSplitter.split(sql)) {
      effects |= ofStatement(segment.parserText());
    }
    return effects;
  }

  /** The effects of one statement, by its leading keywords (and of what it mentions). */
  static int ofSegment(String statement) {
    return (mentionsPathSettings(statement) ? SEARCH_PATH : NONE) | ofStatement(statement);
  }

  private static int ofStatement(String statement) {
    Words words = new Words(statement);
    String keyword = words.keyword();
    switch (keyword) {
      case "SET":
        return words.settingName(PATH_SETTINGS, "SESSION", "LOCAL") ? SEARCH_PATH : NONE;
      case "RESET":
        return words.settingName(RESET_PATH_SETTINGS) ? SEARCH_PATH : NONE;
      case "DISCARD":
      case "DO":
      case "CALL":
      case "{": // a JDBC call escape: {call f(?)} or {? = call f(?)}
        return SEARCH_PATH | CATALOG;
      default:
        if (DDL.contains(keyword)) {
          return CATALOG;
        }
        return TRANSACTION_ENDS.contains(keyword) ? TRANSACTION_END : NONE;
    }
  }

  /**
   * Whether {@code sql} mentions {@code search_path}, {@code pg_settings} (an UPDATE of it sets
   * a setting), or calls {@code set_config} other than with a literal name of a setting that
   * leaves the path alone. Finds the underscore first, so text without one costs one
   * {@code indexOf}.
   */
  static boolean mentionsPathSettings(String sql) {
    for (int u = sql.indexOf('_'); u >= 0; u = sql.indexOf('_', u + 1)) {
      if (u >= 6 && sql.regionMatches(true, u - 6, "search_path", 0, 11)
          || u >= 2 && sql.regionMatches(true, u - 2, "pg_settings", 0, 11)
          || u >= 3 && sql.regionMatches(true, u - 3, "set_config", 0, 10)
              && !namesOtherSetting(sql, u + 7)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the call at {@code i} is {@code (' name ' ...} with a name not in PATH_SETTINGS. */
  private static boolean namesOtherSetting(String sql, int i) {
    i = skipSpace(sql, i);
    if (i >= sql.length() || sql.charAt(i) != '(') {
      return false;
    }
    i = skipSpace(sql, i + 1);
    if (i >= sql.length() || sql.charAt(i) != '\'') {
      return false; // a parameter, an expression, E'...': cannot tell
    }
    StringBuilder name = new StringBuilder();
    for (i++; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '\'') {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
          name.append(c);
          i++;
          continue;
        }
        return !PATH_SETTINGS.contains(name.toString().trim().toLowerCase(Locale.ROOT));
      }
      name.append(c);
    }
    return false;
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The first words of one statement, past whitespace, comments and opening parentheses. */
  private static final class Words {

    private final String s;
    private int i;

    Words(String s) {
      this.s = s;
    }

    /**
     * The first word if it is one of {@link #KEYWORDS} (as written there), {@code "{"} for a
     * JDBC escape, else "". Builds no string: this runs for every statement.
     */
    String keyword() {
      skip();
      if (i >= s.length()) {
        return "";
      }
      if (s.charAt(i) == '{') {
        i++;
        return "{";
      }
      int start = i;
      while (i < s.length() && isIdentifierPart(s.charAt(i))) {
        i++;
      }
      int length = i - start;
      for (String keyword : KEYWORDS) {
        if (keyword.length() == length && s.regionMatches(true, start, keyword, 0, length)) {
          return keyword;
        }
      }
      return "";
    }

    /**
     * Whether the setting named next (past any of {@code modifiers}) is one of {@code names}, or
     * cannot be read (a Unicode-escaped name, nothing at all).
     */
    boolean settingName(Set<String> names, String... modifiers) {
      String name;
      while (true) {
        skip();
        if (i >= s.length()) {
          return true;
        }
        char c = s.charAt(i);
        if (c == '"') {
          name = quoted().toLowerCase(Locale.ROOT); // setting names ignore case, quoted or not
          break;
        }
        if (!isIdentifierStart(c)) {
          return true;
        }
        name = identifier().toLowerCase(Locale.ROOT);
        if (i < s.length() && s.charAt(i) == '&') {
          return true; // U&"..."
        }
        if (!isModifier(name, modifiers)) {
          break;
        }
      }
      return names.contains(name);
    }

    private static boolean isModifier(String word, String... modifiers) {
      for (String modifier : modifiers) {
        if (modifier.equalsIgnoreCase(word)) {
          return true;
        }
      }
      return false;
    }

    private String identifier() {
      int start = i;
      while (i < s.length() && isIdentifierPart(s.charAt(i))) {
        i++;
      }
      return s.substring(start, i);
    }

    private String quoted() {
      StringBuilder name = new StringBuilder();
      for (i++; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"') {
          if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
            name.append(c);
            i++;
            continue;
          }
          i++;
          break;
        }
        name.append(c);
      }
      return name.toString();
    }

    private void skip() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (Character.isWhitespace(c) || c == '(') {
          i++;
        } else if (s.startsWith("--", i)) {
          int eol = s.indexOf('\n', i);
          i = eol < 0 ? s.length() : eol + 1;
        } else if (s.startsWith("/*", i)) {
          skipBlockComment();
        } else {
          return;
        }
      }
    }

    private void skipBlockComment() {
      int depth = 0;
      while (i < s.length()) {
        if (s.startsWith("/*", i)) {
          depth++;
          i += 2;
        } else if (s.startsWith("*/", i)) {
          i += 2;
          if (--depth == 0) {
            return;
          }
        } else {
          i++;
        }
      }
    }

    private static boolean isIdentifierStart(char c) {
      return Character.isLetter(c) || c == '_';
    }

    private static boolean isIdentifierPart(char c) {
      return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }
  }
}
