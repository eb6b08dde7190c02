package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.sql.BatchUpdateException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postgresql.util.ByteStreamWriter;
import org.postgresql.util.PGobject;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.config.EncryptionMode;
import org.veil.crypto.CellShape;
import org.veil.error.VeilException;
import org.veil.sql.StatementAnalyzer;
import org.veil.sql.StatementPlan;

class TextBindingsTest {

  private static final ColumnPolicy SSN = ColumnPolicy.of("public", "people", "ssn",
      EncryptionMode.RANDOMIZED);
  private static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "people", "email",
      EncryptionMode.DETERMINISTIC);

  private final StatementPlan plan = plan(
      "INSERT INTO people (id, ssn, email, note) VALUES (?, ?, ?, ?)");

  private static StatementPlan plan(String sql) {
    try {
      return new StatementAnalyzer(EncryptedColumns.of(List.of(SSN, EMAIL)), 10)
          .analyzePrepared(sql);
    } catch (VeilException e) {
      throw new AssertionError(e);
    }
  }

  /** A pgjdbc statement stand-in that writes down the setters called on it. */
  private static PreparedStatement recording(List<String> calls) {
    return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
          String arg = args[1] instanceof byte[] bytes ? "bytes" + bytes.length
              : args[1] instanceof ByteStreamWriter cell ? "bytes" + cell.getLength()
              : String.valueOf(args[1]);
          calls.add(method.getName() + "(" + args[0] + ", " + arg + ")");
          return null;
        });
  }

  /** The text form of a cell-shaped value of {@code length} bytes. */
  private static String textCell(int length) {
    byte[] cell = new byte[length];
    System.arraycopy(CellShape.header(3), 0, cell, 0, 3);
    cell[length - 1] = (byte) length;
    return CellShape.toText(cell);
  }

  @Test
  void theCellsOfConvertedColumnsAreBoundAgainAsBytesAndTheOthersStay() throws SQLException {
    TextBindings text = new TextBindings();
    text.bound(2, textCell(30));
    text.bound(3, null);
    List<String> calls = new ArrayList<>();

    text.rebindAsBytes(recording(calls), plan, Set.of(SSN));

    assertThat(calls).containsExactly("setObject(2, bytes30)");
    assertThat(text.columns(plan)).containsExactly(EMAIL);
  }

  @Test
  void aCellBoundAgainAsBytesIsTheCellItsTextFormHolds() throws Exception {
    TextBindings text = new TextBindings();
    text.bound(2, textCell(40));
    List<Object> bound = new ArrayList<>();
    PreparedStatement pg = (PreparedStatement) Proxy.newProxyInstance(
        PreparedStatement.class.getClassLoader(), new Class<?>[] {PreparedStatement.class},
        (proxy, method, args) -> bound.add(args[1]));

    text.rebindAsBytes(pg, plan, Set.of(SSN));

    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    ((ByteStreamWriter) bound.get(0)).writeTo(() -> sent);
    assertThat(sent.toByteArray()).isEqualTo(CellShape.fromText(textCell(40)));
  }

  @Test
  void sqlNullBoundAsTextIsBoundAgainAsBinaryNull() throws SQLException {
    TextBindings text = new TextBindings();
    text.bound(3, null);
    List<String> calls = new ArrayList<>();

    text.rebindAsBytes(recording(calls), plan, Set.of(SSN, EMAIL));

    assertThat(calls).containsExactly("setNull(3, " + Types.BINARY + ")");
    assertThat(text.isEmpty()).isTrue();
  }

  @Test
  void aParameterBoundAgainAsBytesOrClearedIsForgotten() {
    TextBindings text = new TextBindings();
    text.bound(2, textCell(40));
    text.bound(2, textCell(41));
    text.bound(3, textCell(42));
    text.unbound(2);
    assertThat(text.columns(plan)).containsExactly(EMAIL);
    text.clear();
    assertThat(text.isEmpty()).isTrue();
    assertThat(text.columns(plan)).isEmpty();
  }

  @Test
  void parametersBeyondTheFirstFewAreKept() {
    StatementPlan wide = plan("INSERT INTO people (a, b, c, d, e, f, g, ssn) VALUES"
        + " (?, ?, ?, ?, ?, ?, ?, ?)");
    TextBindings text = new TextBindings();
    text.bound(8, textCell(40));
    assertThat(text.columns(wide)).containsExactly(SSN);
  }

  @Test
  void theServersAnswersToTextWhereItWantsByteaAreRecognised() {
    assertThat(TextBindings.mayBeRefusedText(new SQLException("assignment", "42804"))).isTrue();
    assertThat(TextBindings.mayBeRefusedText(new SQLException("bytea = text", "42883")))
        .isTrue();
    BatchUpdateException batch = new BatchUpdateException("batch entry 0", "42804", 0,
        new int[0], null);
    assertThat(TextBindings.mayBeRefusedText(batch)).isTrue();
    BatchUpdateException wrapped = new BatchUpdateException("batch entry 0", null, 0,
        new int[0], null);
    wrapped.setNextException(new SQLException("assignment", "42804"));
    assertThat(TextBindings.mayBeRefusedText(wrapped)).isTrue();
  }

  @Test
  void otherFailuresAreNot() {
    assertThat(TextBindings.mayBeRefusedText(new SQLException("duplicate key", "23505")))
        .isFalse();
    assertThat(TextBindings.mayBeRefusedText(new SQLException("cached plan", "0A000")))
        .isFalse();
    assertThat(TextBindings.mayBeRefusedText(new SQLException("no state"))).isFalse();
  }

  @Test
  void theErrorInATransactionIsRetryableNamesTheColumnsAndChainsTheServersError() {
    SQLException server = new SQLException("column \"ssn\" is of type bytea", "42804");

    SQLException e = TextBindings.converted(new java.util.LinkedHashSet<>(List.of(SSN, EMAIL)),
        server, false);

    assertThat((Throwable) e).isInstanceOf(SQLTransactionRollbackException.class)
        .hasMessageContaining("public.people.ssn, public.people.email")
        .hasMessageContaining("converted from text to bytea")
        .hasMessageContaining("Roll back and run the transaction again").hasCause(server);
    assertThat(e.getSQLState()).isEqualTo("40001");
  }

  @Test
  void theErrorForABatchSaysItWasNotRunAgain() {
    SQLException e = TextBindings.converted(Set.of(SSN), new SQLException("x", "42804"), true);
    assertThat((Throwable) e).hasMessageContaining("public.people.ssn")
        .hasMessageContaining("This batch was not run again");
  }

  @Test
  void textCellsAreBoundAsTypedTextNeverLeftForTheServerToInfer() throws SQLException {
    PGobject cell = VeilRuntime.textCell("veil:VkwC");
    assertThat(cell.getType()).isEqualTo("text");
    assertThat(cell.getValue()).isEqualTo("veil:VkwC");
  }
}
