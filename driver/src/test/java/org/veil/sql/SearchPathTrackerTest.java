package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When a connection may trust the search path it read last, and when it must read it again. */
class SearchPathTrackerTest {

  private static final SearchPath PUBLIC = path("public");
  private static final SearchPath OTHER = path("other");

  private static SearchPath path(String schema) {
    return SearchPath.of(List.of("pg_catalog", schema), Map.of("t", schema), Set.of("t"));
  }

  private final SearchPathTracker tracker = new SearchPathTracker();

  @Test
  void nothingIsKnownBeforeTheFirstRead() {
    assertThat(tracker.current()).isNull();
    tracker.read(PUBLIC);
    assertThat(tracker.current()).isEqualTo(PUBLIC);
  }

  @Test
  void aChangeOutsideATransactionMakesThePathUnknown() {
    tracker.read(PUBLIC);
    tracker.changed(false, false);
    assertThat(tracker.current()).isNull();
    assertThat(tracker.changedInTransaction()).isFalse();
  }

  @Test
  void rollbackRestoresThePathOfTheTransactionStart() {
    tracker.read(PUBLIC);
    tracker.changed(true, true);
    tracker.read(OTHER);
    tracker.rolledBack();
    assertThat(tracker.current()).isEqualTo(PUBLIC);
    assertThat(tracker.changedInTransaction()).isFalse();
  }

  @Test
  void rollbackOfATransactionBegunInTheSameTextAsTheChangeLeavesThePathUnknown() {
    tracker.read(PUBLIC);
    tracker.changed(true, false); // "SET search_path = other; BEGIN": the SET may have been outside
    tracker.read(OTHER);
    tracker.rolledBack();
    assertThat(tracker.current()).isNull();
  }

  @Test
  void commitAfterAChangeMakesThePathUnknown() {
    tracker.read(PUBLIC);
    tracker.changed(true, true); // SET LOCAL ends at commit, SET stays: read again
    tracker.read(OTHER);
    tracker.committed();
    assertThat(tracker.current()).isNull();
    assertThat(tracker.changedInTransaction()).isFalse();
  }

  @Test
  void commitWithoutAChangeKeepsThePath() {
    tracker.read(PUBLIC);
    int generation = tracker.generation();
    tracker.committed();
    tracker.rolledBack();
    assertThat(tracker.current()).isEqualTo(PUBLIC);
    assertThat(tracker.generation()).isEqualTo(generation);
  }

  @Test
  void savepointRollbackAfterAChangeMakesThePathUnknownButAFullRollbackStillRestores() {
    tracker.read(PUBLIC);
    tracker.changed(true, true);
    tracker.read(OTHER);
    tracker.rolledBackToSavepoint();
    assertThat(tracker.current()).isNull();
    assertThat(tracker.changedInTransaction()).isTrue();
    tracker.read(OTHER);
    tracker.rolledBack();
    assertThat(tracker.current()).isEqualTo(PUBLIC);
  }

  @Test
  void transactionControlInTextAfterAChangeForgetsTheTransactionStart() {
    tracker.read(PUBLIC);
    tracker.changed(true, true);
    tracker.read(OTHER);
    tracker.transactionControl(true); // "COMMIT; BEGIN": the SET may have been committed
    assertThat(tracker.current()).isNull();
    tracker.read(OTHER);
    tracker.rolledBack();
    assertThat(tracker.current()).isNull();
  }

  @Test
  void transactionControlThatEndsTheTransactionEndsTheTracking() {
    tracker.read(PUBLIC);
    tracker.changed(true, true);
    tracker.transactionControl(false);
    assertThat(tracker.changedInTransaction()).isFalse();
    tracker.read(OTHER);
    tracker.rolledBack();
    assertThat(tracker.current()).isEqualTo(OTHER);
  }

  @Test
  void theGenerationMovesWithEveryChangeButNotWithTheSameAnswerAgain() {
    int start = tracker.generation();
    tracker.read(PUBLIC);
    int known = tracker.generation();
    assertThat(known).isNotEqualTo(start);
    tracker.read(path("public"));
    assertThat(tracker.generation()).isEqualTo(known);
    tracker.changed(false, false);
    assertThat(tracker.generation()).isNotEqualTo(known);
  }
}
