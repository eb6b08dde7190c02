package org.veil.bench.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * One way of storing the benchmark row (five columns, two of them protected), measured against
 * the others on the same server, table shape and workloads.
 *
 * <p>The harness owns the SQL: it builds every statement from the column names, asking the
 * contender only for what differs: the stored type of a protected column, the SQL expression
 * that stands for a bound or selected protected value (server-side encryption wraps them in
 * functions; everyone else leaves them as {@code ?} and the column name), and how a protected
 * value is bound and read. A client-side contender that encrypts in the driver (Veil) needs
 * nothing but {@link #connect} and {@link #protectedColumnType}; one that encrypts in the
 * application (the hand-written AES-GCM floor) does its work in {@link #bind} and {@link #read}.
 *
 * <p>Implementations are used by one thread; {@link #connect} may be called more than once.
 */
public interface Contender extends AutoCloseable {

  /** Short, lower-case, SQL-identifier-safe: names the contender's table and its report rows. */
  String id();

  /** One line for the report: what this contender is and how it protects the two columns. */
  String description();

  /**
   * Why this contender cannot run here (a library or a server extension missing), or empty if
   * it can. Asked once, after {@link #prepare}; a contender that cannot run is reported, not
   * measured.
   */
  default Optional<String> unavailableReason() {
    return Optional.empty();
  }

  /** Called once before anything else: install extensions, write configuration files. */
  default void prepare(Target target) throws Exception {}

  /** A new connection through this contender's driver stack, auto-commit on. */
  Connection connect(Target target) throws SQLException;

  /** The SQL type the table declares for a protected column, e.g. {@code text} or {@code bytea}. */
  String protectedColumnType(ProtectedColumn column);

  /** The SQL that stands for one bound protected value, in VALUES and in WHERE. */
  default String bindExpression(ProtectedColumn column) {
    return "?";
  }

  /** The SQL that selects a protected value in a SELECT list. */
  default String selectExpression(ProtectedColumn column) {
    return column.sqlName();
  }

  /** Binds the plaintext {@code value} of {@code column} at {@code index}. */
  default void bind(PreparedStatement statement, int index, ProtectedColumn column, String value)
      throws SQLException {
    statement.setString(index, value);
  }

  /** Reads the plaintext of {@code column} from result column {@code index}. */
  default String read(ResultSet result, int index, ProtectedColumn column) throws SQLException {
    return result.getString(index);
  }

  /** Whether {@code WHERE email = ?} can find a row (plaintext or deterministic encryption). */
  boolean canLookUpByEquality();

  /**
   * Whether the database holds ciphertext, not plaintext, in the protected columns. The harness
   * checks this claim against what a plain pgjdbc connection reads back.
   */
  boolean storesCiphertext();

  /**
   * Called, untimed, before each timed operation on {@code connection}: a contender measured
   * with a cold key cache empties it here.
   */
  default void beforeOperation(Connection connection) throws SQLException {}

  /**
   * Why this contender is not measured on workload {@code workloadId} although it could run it
   * (an operation would take minutes), or null when it is.
   */
  default String notMeasured(String workloadId) {
    return null;
  }

  /** How many of the {@code requested} rows to preload for the reads (fewer if slow to write). */
  default int preloadRows(int requested) {
    return requested;
  }

  /** Key provider and key cache counters, for the log; empty when the contender has none. */
  default java.util.Map<String, Long> keyCounters() {
    return java.util.Map.of();
  }

  /** Releases what {@link #prepare} set up (pools, key caches); connections are closed apart. */
  @Override
  default void close() throws SQLException {}
}
