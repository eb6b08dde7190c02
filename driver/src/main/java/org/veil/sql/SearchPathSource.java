package org.veil.sql;

import java.sql.SQLException;
import java.util.Set;

/**
 * Where statement analysis learns the session's search path: the port through which the JDBC
 * layer answers from what it knows of its connection, or reads it from the server. Analysis asks
 * only when a statement names a configured table without a schema, and at most once per analysis.
 */
@FunctionalInterface
public interface SearchPathSource {

  /** A source with no session behind it: always {@link SearchPath#ASSUMED_PUBLIC}. */
  SearchPathSource ASSUMED_PUBLIC = names -> SearchPath.ASSUMED_PUBLIC;

  /**
   * The session's search path now, resolving at least {@code names}.
   *
   * @param names the configured table names (as PostgreSQL stores them) to resolve
   * @return never null
   * @throws SQLException when it cannot be known (the transaction has failed, the server did not
   *     answer); analysis then refuses the statement
   */
  SearchPath searchPath(Set<String> names) throws SQLException;
}
