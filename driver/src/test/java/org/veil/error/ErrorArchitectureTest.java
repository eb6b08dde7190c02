package org.veil.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * How errors are laid out in the driver's sources: SQLSTATEs live in this package only, this
 * package depends on nothing else of Veil, and the layers below JDBC raise typed exceptions, not
 * SQLExceptions.
 */
class ErrorArchitectureTest {

  private static final Path SOURCES = Path.of("src/main/java");
  private static final Path ERROR_PACKAGE = SOURCES.resolve("org/veil/error");

  /**
   * A string literal that is an SQLSTATE: a class PostgreSQL defines (appendix A of its manual)
   * and three more characters. Picocli's {@code defaultValue = "20000"} is a number of rows.
   */
  private static final Pattern SQLSTATE_LITERAL = Pattern.compile(
      "(?<!defaultValue = )\"((?:00|01|02|03|08|09|0A|0B|0F|0L|0P|0Z|20|21|22|23|24|25|26|27|28"
          + "|2B|2D|2F|34|38|39|3B|3D|3F|40|42|44|53|54|55|57|58|72|F0|HV|P0|XX)[0-9A-Z]{3})\"");

  private static final Pattern OTHER_VEIL_PACKAGE = Pattern.compile("\\borg\\.veil\\.(?!error\\b)");

  private static final Pattern NEW_SQL_EXCEPTION = Pattern.compile("new \\w*SQL\\w*Exception\\(");

  @Test
  void noSqlStateLiteralOutsideTheErrorPackage() {
    List<String> found = new ArrayList<>();
    for (Path file : javaFiles(SOURCES)) {
      if (file.startsWith(ERROR_PACKAGE)) {
        continue;
      }
      Matcher m = SQLSTATE_LITERAL.matcher(read(file));
      while (m.find()) {
        found.add(SOURCES.relativize(file) + ": \"" + m.group(1) + "\"");
      }
    }
    assertThat(found).as("SQLSTATE literals outside org.veil.error: use VeilError or ServerState")
        .isEmpty();
  }

  @Test
  void theScanFindsAnSqlStateLiteral() {
    assertThat(SQLSTATE_LITERAL.matcher("new SQLException(\"x\", \"0A000\")").find()).isTrue();
    assertThat(SQLSTATE_LITERAL.matcher("List.of(\"42P01\", \"55P03\")").find()).isTrue();
    assertThat(SQLSTATE_LITERAL.matcher("Set.of(\"LIMIT\", \"GRANT\", \"PT15M\")").find())
        .isFalse();
  }

  @Test
  void theErrorPackageDependsOnNothingElseOfVeil() {
    List<String> found = new ArrayList<>();
    for (Path file : javaFiles(ERROR_PACKAGE)) {
      String[] lines = read(file).split("\n");
      for (int i = 0; i < lines.length; i++) {
        if (OTHER_VEIL_PACKAGE.matcher(lines[i]).find()) {
          found.add(file.getFileName() + ":" + (i + 1) + ": " + lines[i].trim());
        }
      }
    }
    assertThat(javaFiles(ERROR_PACKAGE)).isNotEmpty();
    assertThat(found).as("references from org.veil.error to the rest of Veil").isEmpty();
  }

  @Test
  void theLayersBelowJdbcRaiseVeilExceptionsNotSqlExceptions() {
    List<String> found = new ArrayList<>();
    for (String layer : List.of("config", "sql", "tls", "crypto", "keys", "kms", "error")) {
      for (Path file : javaFiles(SOURCES.resolve("org/veil").resolve(layer))) {
        Matcher m = NEW_SQL_EXCEPTION.matcher(read(file));
        while (m.find()) {
          found.add(SOURCES.relativize(file) + ": " + m.group());
        }
      }
    }
    assertThat(found).as("SQLExceptions made below the JDBC layer (org.veil.jdbc turns"
        + " VeilExceptions into SQLExceptions)").isEmpty();
  }

  private static List<Path> javaFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
