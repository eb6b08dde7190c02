package org.veil.bench.e2e;

import java.sql.SQLException;

/**
 * One kind of operation timed for every contender. The harness calls {@link #setUp} once per
 * contender (untimed), then, round after round, {@link #beforeOperation} (untimed) and
 * {@link #operate} (timed) as many times as the round's time allows.
 */
interface Workload {

  /** Short name for logs. */
  String id();

  /** The report's heading for this workload. */
  String title();

  /** How many rows one operation writes or reads: throughput is reported in rows per second. */
  int rowsPerOperation();

  /** As {@link #rowsPerOperation()}, for {@code session}'s contender (a scan reads its rows). */
  default int rowsPerOperation(Session session) {
    return rowsPerOperation();
  }

  /** Whether the table must hold the preloaded rows ({@code true}) or start empty. */
  boolean readsPreloadedRows();

  /** Why {@code contender} cannot do this workload, or null if it can. */
  default String notApplicable(Contender contender) {
    return null;
  }

  default void setUp(Session session) throws SQLException {}

  default void beforeOperation(Session session) throws SQLException {}

  /** One timed operation; {@code n} counts operations on this session from 0. */
  void operate(Session session, long n) throws SQLException;
}
