package org.veil.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import org.postgresql.core.BaseConnection;
import org.postgresql.util.HostSpec;
import org.veil.error.VeilError;

/**
 * Which database a connection reached, as a runtime is chosen by it: the server actually
 * connected to (the host and port pgjdbc chose among the URL's hosts), the database's name and
 * OID, and the cluster's {@code system_identifier} ({@code pg_control_system()}) when the role may
 * read it.
 *
 * <p>What identity means for replicas: a primary and its physical standbys share the system
 * identifier and the database OID, since they hold the same data, but they are different
 * servers, so each has its own identity (and runtime): a standby's runtime reads keys from that
 * standby, where they replicate with the data, and keeps working when the primary is gone. The
 * system identifier and OID tell apart what the address alone cannot: another cluster (a
 * restore, a new server) answering at the same host and port, or a database dropped and made
 * again under the same name.
 *
 * @param host the host name as the URL gives it (never resolved), not null
 * @param systemIdentifier empty when {@code pg_control_system()} is not readable by the role
 */
record DatabaseIdentity(String host, int port, String database, long databaseOid,
    OptionalLong systemIdentifier) {

  /** Where a connection went, known without a query: the key of the identity memo. */
  record Address(String host, int port, String database) {

    static Address of(Connection pg) throws SQLException {
      HostSpec server = pg.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec();
      return new Address(server.getHost(), server.getPort(), pg.getCatalog());
    }
  }

  /**
   * Reads the identity of the database {@code pg} is connected to, at {@code address}; one
   * catalog query, and one more for the system identifier when the role may call
   * {@code pg_control_system()} (granted to PUBLIC by default).
   */
  static DatabaseIdentity read(Connection pg, Address address) throws SQLException {
    long oid;
    boolean controlReadable;
    try (PreparedStatement ps = pg.prepareStatement("SELECT d.oid,"
        + " pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')"
        + " FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw SqlErrors.of(VeilError.CONNECTION_REJECTED,
            "the server does not list the current database " + address
            .database() + " in pg_database");
      }
      oid = rs.getLong(1);
      controlReadable = rs.getBoolean(2);
    }
    OptionalLong system = OptionalLong.empty();
    if (controlReadable) {
      try (PreparedStatement ps = pg.prepareStatement(
          "SELECT system_identifier FROM pg_catalog.pg_control_system()");
          ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          system = OptionalLong.of(rs.getLong(1));
        }
      }
    }
    return new DatabaseIdentity(address.host(), address.port(), address.database(), oid, system);
  }

  /** How messages name it: {@code database app on db1:5432}. */
  String describe() {
    return "database " + database + " on " + host + ":" + port;
  }

  @Override
  public String toString() {
    return describe() + " (oid " + databaseOid + (systemIdentifier.isPresent()
        ? ", system " + Long.toUnsignedString(systemIdentifier.getAsLong()) : "") + ")";
  }
}
