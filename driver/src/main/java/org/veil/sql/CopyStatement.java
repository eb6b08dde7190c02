package org.veil.sql;

import java.util.ArrayList;
import java.util.List;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;

/**
 * Refuses {@code COPY} into or out of an encrypted column. JSqlParser does not parse COPY, so this
 * reads just its table name and column list: {@code COPY [schema.]table [(col, ...)] FROM|TO}.
 * {@code COPY (query) TO} is refused when the query names an encrypted table.
 */
final class CopyStatement {

  private final String text;
  private int position;

  private CopyStatement(String text) {
    this.text = text;
  }

  static void check(EncryptedColumns columns, SessionNames names, String text) {
    new CopyStatement(text).check(columns, names);
  }

  private void check(EncryptedColumns columns, SessionNames names) {
    position = text.toUpperCase(java.util.Locale.ROOT).indexOf("COPY") + "COPY".length();
    skipSpace();
    if (peek() == '(') {
      List<ColumnPolicy> mentioned = EncryptedNameScan.tablesMentioned(columns, text);
      if (!mentioned.isEmpty()) {
        throw RefusedStatement.copy(mentioned);
      }
      return;
    }
    List<String> name = new ArrayList<>();
    name.add(identifier());
    while (peek() == '.') {
      position++;
      name.add(identifier());
    }
    String table = name.get(name.size() - 1);
    String schema = name.size() > 1 ? name.get(name.size() - 2) : null;
    Source source = Source.table(columns, schema == null ? names.schemaOf(table) : schema,
        table, null);
    if (!source.hasEncryptedColumns()) {
      return;
    }
    skipSpace();
    if (peek() != '(') {
      throw RefusedStatement.copy(source.encrypted().values());
    }
    List<ColumnPolicy> copied = new ArrayList<>();
    do {
      position++;
      ColumnPolicy column = source.encrypted().get(identifier());
      if (column != null) {
        copied.add(column);
      }
      skipSpace();
    } while (peek() == ',');
    if (!copied.isEmpty()) {
      throw RefusedStatement.copy(copied);
    }
  }

  /** Reads one identifier, folded as PostgreSQL folds it; empty at anything else. */
  private String identifier() {
    skipSpace();
    int start = position;
    if (peek() == '"') {
      position++;
      while (position < text.length()) {
        if (text.charAt(position) == '"') {
          if (position + 1 < text.length() && text.charAt(position + 1) == '"') {
            position += 2;
            continue;
          }
          position++;
          break;
        }
        position++;
      }
    } else {
      while (position < text.length()
          && (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '$')) {
        position++;
      }
    }
    String folded = Identifiers.fold(text.substring(start, position));
    skipSpace();
    return folded;
  }

  private void skipSpace() {
    while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
      position++;
    }
  }

  private char peek() {
    return position < text.length() ? text.charAt(position) : '\0';
  }
}
