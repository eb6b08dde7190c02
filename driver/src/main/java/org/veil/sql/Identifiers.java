package org.veil.sql;

import java.util.Locale;

/** PostgreSQL's identifier rules: unquoted names fold to lower case, quoted names keep theirs. */
final class Identifiers {

  private Identifiers() {}

  /** The name PostgreSQL stores for {@code raw} as written in SQL; null stays null. */
  static String fold(String raw) {
    if (raw == null) {
      return null;
    }
    if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
      return raw.substring(1, raw.length() - 1).replace("\"\"", "\"");
    }
    return raw.toLowerCase(Locale.ROOT);
  }
}
