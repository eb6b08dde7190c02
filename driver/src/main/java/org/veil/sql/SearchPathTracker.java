package org.veil.sql;

/**
 * What one connection knows of its session's search path: the last {@link SearchPath} read from
 * the server, for as long as nothing seen on the connection may have changed it. Anything that
 * may have (a {@link SessionEffects} statement, {@code setSchema}, the end of a transaction in
 * which one ran, a rollback to a savepoint) makes it unknown, and the connection reads it again
 * before the next statement that needs it. Veil never computes a path itself: the server's
 * answer is the only source.
 *
 * <p>The one change it can follow without asking is a full rollback: the path and the catalog
 * are then as they were when the transaction began, so the path known then is known again.
 *
 * <p>Each change of what is known (read, unknown, restored) moves {@link #generation()}, so a
 * prepared statement can tell cheaply whether its plan was made under the path that holds now.
 * Not thread-safe, like the connection it belongs to.
 */
public final class SearchPathTracker {

  private SearchPath current;
  private int generation;
  /** Whether the path or the catalog may have changed in the open transaction. */
  private boolean changedInTransaction;
  /** The path known when that transaction began; null when unknown. */
  private SearchPath atTransactionStart;

  /** The path that holds now, or null when it must be read. */
  public SearchPath current() {
    return current;
  }

  /** Moves whenever {@link #current()} may have changed. */
  public int generation() {
    return generation;
  }

  /** Whether the open transaction ran something that may have changed the path or catalog. */
  public boolean changedInTransaction() {
    return changedInTransaction;
  }

  /** What the server answered just now. */
  public void read(SearchPath path) {
    if (!path.equals(current)) {
      current = path;
      generation++;
    }
  }

  /**
   * The path or the catalog may have changed: a {@link SessionEffects#SEARCH_PATH} or
   * {@link SessionEffects#CATALOG} statement ran (whether it succeeded or not), or
   * {@code setSchema} was called.
   *
   * @param inTransactionAfter whether a transaction is open (or failed) after it
   * @param ranInTransaction whether it certainly ran inside that transaction (one was open
   *     before, or the driver began one for it), so that a rollback of the transaction undoes it
   */
  public void changed(boolean inTransactionAfter, boolean ranInTransaction) {
    SearchPath before = current;
    unknown();
    if (!inTransactionAfter) {
      endTransaction();
    } else if (!changedInTransaction) {
      changedInTransaction = true;
      atTransactionStart = ranInTransaction ? before : null;
    }
  }

  /** The transaction committed (or ended in a way Veil did not follow). */
  public void committed() {
    if (changedInTransaction) {
      unknown();
    }
    endTransaction();
  }

  /** The whole transaction rolled back: what held when it began holds again. */
  public void rolledBack() {
    if (changedInTransaction) {
      current = atTransactionStart;
      generation++;
    }
    endTransaction();
  }

  /** A rollback to a savepoint: a change made in the transaction may or may not be undone. */
  public void rolledBackToSavepoint() {
    if (changedInTransaction) {
      unknown();
    }
  }

  /**
   * A statement that may end the transaction ran ({@link SessionEffects#TRANSACTION_END}).
   *
   * @param inTransactionAfter whether a transaction is open after it (a rollback to a
   *     savepoint, or a new transaction begun in the same text)
   */
  public void transactionControl(boolean inTransactionAfter) {
    if (changedInTransaction) {
      unknown();
      atTransactionStart = null; // the transaction open now may be a new one
    }
    if (!inTransactionAfter) {
      endTransaction();
    }
  }

  private void unknown() {
    current = null;
    generation++;
  }

  private void endTransaction() {
    changedInTransaction = false;
    atTransactionStart = null;
  }

  @Override
  public String toString() {
    return "SearchPathTracker[" + (current == null ? "unknown" : current) + "]";
  }
}
