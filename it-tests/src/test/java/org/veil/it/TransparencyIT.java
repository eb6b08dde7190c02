package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * With no encrypted columns configured, ordinary JDBC work gives the same results through Veil
 * as through pgjdbc: each scenario runs on both and the observations are compared.
 */
class TransparencyIT {

  private static PostgresServer server;

  @BeforeAll
  static void startServer() {
    server = TestPostgres.shared();
  }

  interface Scenario {
    List<Object> run(Connection c) throws SQLException;
  }

  private static void assertSameThroughBoth(Scenario scenario) throws SQLException {
    List<Object> plain;
    try (Connection c = server.plainConnection()) {
      plain = scenario.run(c);
    }
    List<Object> veil;
    try (Connection c = server.veilConnection(new Properties())) {
      assertThat(c.getClass().getName()).startsWith("org.veil.jdbc.");
      veil = scenario.run(c);
    }
    assertThat(plain).isNotEmpty();
    assertThat(veil).containsExactlyElementsOf(plain);
  }

  private static String show(Object value) {
    if (value instanceof byte[] bytes) {
      return "bytes:" + HexFormat.of().formatHex(bytes);
    }
    if (value instanceof java.sql.Array array) {
      try {
        return "array:" + Arrays.deepToString((Object[]) array.getArray());
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
    return value == null ? "null" : value.getClass().getSimpleName() + ":" + value;
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void everySetterAndGetterType() throws SQLException {
    assertSameThroughBoth(c -> {
      exec(c, "DROP TABLE IF EXISTS t_types");
      exec(c, "CREATE TABLE t_types (id int PRIMARY KEY, s smallint, i int, l bigint,"
          + " n numeric(14,4), r real, d double precision, b boolean, t text, v varchar(20),"
          + " by bytea, dt date, tm time, ts timestamp, tz timestamptz, u uuid, j jsonb,"
          + " a int[], e text)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t_types VALUES"
          + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)")) {
        ps.setInt(1, 1);
        ps.setShort(2, (short) -7);
        ps.setInt(3, Integer.MAX_VALUE);
        ps.setLong(4, Long.MIN_VALUE);
        ps.setBigDecimal(5, new BigDecimal("12345.6700"));
        ps.setFloat(6, 1.5f);
        ps.setDouble(7, Math.PI);
        ps.setBoolean(8, true);
        ps.setString(9, "héllo, wörld ✓");
        ps.setObject(10, "varchar", Types.VARCHAR);
        ps.setBytes(11, new byte[] {0, 1, (byte) 0xff, 0x7f});
        ps.setDate(12, Date.valueOf("2024-02-29"));
        ps.setTime(13, Time.valueOf("13:14:15"));
        ps.setTimestamp(14, Timestamp.valueOf("2024-02-29 13:14:15.123456"));
        ps.setObject(15, OffsetDateTime.of(2024, 2, 29, 13, 14, 15, 0, ZoneOffset.ofHours(2)));
        ps.setObject(16, UUID.fromString("6f1c7e1a-4a4e-4f0a-9c57-1a2b3c4d5e6f"));
        ps.setString(17, "{\"k\": [1, 2]}");
        ps.setArray(18, c.createArrayOf("int4", new Integer[] {3, 1, 2}));
        ps.setNull(19, Types.VARCHAR);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t_types (id, dt, ts, n)"
          + " VALUES (?, ?, ?, ?)")) {
        ps.setObject(1, 2);
        ps.setObject(2, LocalDate.of(1999, 12, 31));
        ps.setObject(3, LocalDateTime.of(2000, 1, 1, 0, 0, 1));
        ps.setObject(4, new BigDecimal("-0.0001"), Types.NUMERIC);
        ps.executeUpdate();
      }
      List<Object> seen = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT * FROM t_types ORDER BY id")) {
        ResultSetMetaData md = rs.getMetaData();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          seen.add(md.getColumnName(i) + " " + md.getColumnTypeName(i) + " "
              + md.getColumnType(i) + " " + md.getColumnClassName(i));
        }
        while (rs.next()) {
          for (int i = 1; i <= md.getColumnCount(); i++) {
            seen.add(show(rs.getObject(i)));
            seen.add(show(rs.getString(i)));
            seen.add(rs.wasNull());
          }
          seen.add(rs.getShort("s"));
          seen.add(rs.getLong("i"));
          seen.add(show(rs.getBigDecimal("n")));
          seen.add(rs.getDouble("r"));
          seen.add(show(rs.getBytes("by")));
          seen.add(show(rs.getDate("dt")));
          seen.add(show(rs.getTimestamp("ts")));
          seen.add(show(rs.getTimestamp("tz", java.util.Calendar.getInstance(
              java.util.TimeZone.getTimeZone("UTC")))));
          seen.add(show(rs.getObject("tz", OffsetDateTime.class)));
          seen.add(show(rs.getObject("dt", LocalDate.class)));
          seen.add(show(rs.getObject("tm", LocalTime.class)));
          seen.add(show(rs.getObject("u", UUID.class)));
          seen.add(rs.getBoolean("b"));
        }
      }
      return seen;
    });
  }

  @Test
  void batchesAndGeneratedKeys() throws SQLException {
    for (String rewrite : List.of("false", "true")) {
      Scenario scenario = c -> {
        exec(c, "DROP TABLE IF EXISTS t_batch");
        exec(c, "CREATE TABLE t_batch (id serial PRIMARY KEY, name text NOT NULL)");
        List<Object> seen = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t_batch (name) VALUES (?)",
            Statement.RETURN_GENERATED_KEYS)) {
          for (int i = 0; i < 25; i++) {
            ps.setString(1, "row " + i);
            ps.addBatch();
          }
          int[] counts = ps.executeBatch();
          seen.add(counts.length);
          try (ResultSet keys = ps.getGeneratedKeys()) {
            assertThat(keys.getStatement()).isSameAs(ps);
            while (keys.next()) {
              seen.add(keys.getInt("id"));
            }
          }
        }
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO t_batch (name) VALUES (?)", new String[] {"id", "name"})) {
          ps.setString(1, "single");
          seen.add(ps.executeUpdate());
          try (ResultSet keys = ps.getGeneratedKeys()) {
            assertThat(keys.next()).isTrue();
            seen.add(keys.getInt(1) + "/" + keys.getString(2));
          }
        }
        try (Statement s = c.createStatement()) {
          s.addBatch("UPDATE t_batch SET name = upper(name) WHERE id <= 5");
          s.addBatch("DELETE FROM t_batch WHERE id > 20");
          seen.add(Arrays.toString(s.executeBatch()));
          try (ResultSet rs = s.executeQuery("SELECT count(*), string_agg(name, ',' ORDER BY id)"
              + " FROM t_batch")) {
            rs.next();
            seen.add(rs.getLong(1));
            seen.add(rs.getString(2));
          }
        }
        return seen;
      };
      List<Object> plain;
      Properties props = new Properties();
      props.setProperty("reWriteBatchedInserts", rewrite);
      try (Connection c = java.sql.DriverManager.getConnection(server.plainUrl(),
          merged(props, "sslmode", "verify-full"))) {
        plain = scenario.run(c);
      }
      try (Connection c = server.veilConnection(props)) {
        assertThat(scenario.run(c)).as("reWriteBatchedInserts=" + rewrite)
            .containsExactlyElementsOf(plain);
      }
    }
  }

  private static Properties merged(Properties extra, String name, String value) {
    Properties p = server.connectionProperties();
    p.putAll(extra);
    p.setProperty(name, value);
    return p;
  }

  @Test
  void transactionsAndSavepoints() throws SQLException {
    assertSameThroughBoth(c -> {
      exec(c, "DROP TABLE IF EXISTS t_tx");
      exec(c, "CREATE TABLE t_tx (id int PRIMARY KEY)");
      c.setAutoCommit(false);
      List<Object> seen = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t_tx VALUES (?)")) {
        ps.setInt(1, 1);
        ps.executeUpdate();
        Savepoint sp = c.setSavepoint("before_two");
        ps.setInt(1, 2);
        ps.executeUpdate();
        c.rollback(sp);
        ps.setInt(1, 3);
        ps.executeUpdate();
        Savepoint unnamed = c.setSavepoint();
        seen.add(unnamed.getSavepointId() >= 0);
        c.releaseSavepoint(unnamed);
        c.commit();
        ps.setInt(1, 4);
        ps.executeUpdate();
        c.rollback();
      }
      c.setAutoCommit(true);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM t_tx")) {
        rs.next();
        seen.add(rs.getString(1));
      }
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      seen.add(c.getTransactionIsolation());
      return seen;
    });
  }

  @Test
  void databaseMetaData() throws SQLException {
    assertSameThroughBoth(c -> {
      exec(c, "DROP TABLE IF EXISTS t_meta");
      exec(c, "CREATE TABLE t_meta (id bigint PRIMARY KEY, label text NOT NULL)");
      DatabaseMetaData md = c.getMetaData();
      assertThat(md.getConnection()).isSameAs(c);
      List<Object> seen = new ArrayList<>();
      seen.add(md.getDatabaseProductName());
      seen.add(md.getDatabaseProductVersion());
      seen.add(md.getDriverName());
      seen.add(md.getUserName());
      seen.add(md.supportsBatchUpdates());
      try (ResultSet rs = md.getColumns(null, "public", "t_meta", null)) {
        if (c.getClass().getName().startsWith("org.veil.")) {
          assertThat(rs.getStatement()).as("a metadata result has no statement").isNull();
        }
        while (rs.next()) {
          seen.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME") + " "
              + rs.getInt("NULLABLE"));
        }
      }
      try (ResultSet rs = md.getPrimaryKeys(null, "public", "t_meta")) {
        while (rs.next()) {
          seen.add(rs.getString("COLUMN_NAME"));
        }
      }
      try (ResultSet rs = md.getTables(null, "public", "t_meta", new String[] {"TABLE"})) {
        while (rs.next()) {
          seen.add(rs.getString("TABLE_NAME"));
        }
      }
      return seen;
    });
  }

  @Test
  void streamingFetchWithCursor() throws SQLException {
    assertSameThroughBoth(c -> {
      c.setAutoCommit(false);
      List<Object> seen = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT g, md5(g::text) FROM generate_series(1, ?) g")) {
        ps.setFetchSize(100);
        ps.setInt(1, 5000);
        long sum = 0;
        int rows = 0;
        String last = null;
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.getFetchSize()).isEqualTo(100);
          while (rs.next()) {
            sum += rs.getLong(1);
            rows++;
            last = rs.getString(2);
          }
        }
        seen.add(rows);
        seen.add(sum);
        seen.add(last);
      }
      c.commit();
      return seen;
    });
  }

  @Test
  void callableStatement() throws SQLException {
    assertSameThroughBoth(c -> {
      List<Object> seen = new ArrayList<>();
      try (CallableStatement cs = c.prepareCall("{? = call upper(?)}")) {
        cs.registerOutParameter(1, Types.VARCHAR);
        cs.setString(2, "shout");
        cs.execute();
        seen.add(cs.getString(1));
      }
      return seen;
    });
  }

  @Test
  void unwrapToPgConnectionReachesTheSameSession() throws SQLException {
    try (Connection c = server.veilConnection(new Properties())) {
      assertThat(c.isWrapperFor(PGConnection.class)).isTrue();
      assertThat(c.unwrap(Connection.class)).isSameAs(c);
      PGConnection pg = c.unwrap(PGConnection.class);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        assertThat(pg.getBackendPID()).isEqualTo(rs.getInt(1));
      }
    }
  }

  @Test
  void everyObjectLeadsBackToTheVeilConnection() throws SQLException {
    try (Connection c = server.veilConnection(new Properties());
        PreparedStatement ps = c.prepareStatement("SELECT 1");
        ResultSet rs = ps.executeQuery()) {
      assertThat(ps.getConnection()).isSameAs(c);
      assertThat(rs.getStatement()).isSameAs(ps);
      assertThat(ps.getResultSet()).isSameAs(ps.getResultSet());
      assertThat(c.getMetaData().getConnection()).isSameAs(c);
      assertThat(c.getMetaData().getURL()).startsWith("jdbc:veil:postgresql://");
    }
  }
}
