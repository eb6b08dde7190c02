package org.veil.bench.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.veil.keys.KeyCounters;
import org.veil.jdbc.VeilInternals;
import org.veil.testing.PostgresServer;

/**
 * Counts key provider calls for rows written through Veil (batched) and read back on cold
 * caches, once with branch-key wrapping (local provider, counted by the codec's
 * {@code KeyCounters}) and once with direct wrapping (AWS SDK to {@link LoopbackKms}, counted
 * at the endpoint and by the codec).
 *
 * <p>Writer and reader are two data-source configurations (the reader's differs in one cache
 * setting), so the reader starts as a freshly started application does: no branch key and no row
 * key cached. The keyring is new for each count, so the writer creates its branch key too.
 */
final class KmsCallCount {

  /**
   * One count.
   *
   * @param write the provider calls of the writing configuration, by operation
   * @param read the provider calls of the reading configuration, by operation
   * @param per1M calls for 1,000,000 rows written and read: measured when {@code rows} is a
   *     million, else scaled as {@code scaled} says
   */
  record Count(String wrapping, long rows, Map<String, Long> write, Map<String, Long> read,
      long total, long per1M, String scaled, String rowKeyCache) {}

  private KmsCallCount() {}

  static List<Count> run(PostgresServer server, int branchRows, int directRows, int batchRows)
      throws Exception {
    String keyring = "bench-kms-" + Long.toString(System.nanoTime(), 36);
    Count branch = count(server, "branch", "bench_kms_branch", branchRows, batchRows,
        LocalMasterKey.veilSettings(keyring), null);
    Count direct;
    // Zero added latency: the count does not depend on it, and 2 x rows calls at 5 ms would
    // take minutes.
    try (LoopbackKms kms = new LoopbackKms(0)) {
      Map<String, String> settings = new LinkedHashMap<>(kms.veilSettings());
      settings.put("veil.keys.wrapping", "direct");
      settings.put("veil.keys.keyring", keyring + "-direct");
      direct = count(server, "direct", "bench_kms_direct", directRows, batchRows, settings, kms);
    }
    return List.of(branch, direct);
  }

  private static Count count(PostgresServer server, String wrapping, String table, int rows,
      int batchRows, Map<String, String> keySettings, LoopbackKms kms) throws Exception {
    long t0 = System.nanoTime();
    try (Connection admin = server.plainConnection(); Statement s = admin.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + table);
      s.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, email bytea, note bytea,"
          + " amount bigint NOT NULL, created_at timestamptz NOT NULL)");
    }
    Rows values = new Rows(Math.min(rows, 100_000));
    Properties writer = new Properties();
    writer.putAll(keySettings);
    writer.setProperty("veil.columns", table + ".email, " + table + ".note");
    Properties reader = new Properties();
    reader.putAll(writer);
    // Any difference makes another configuration, with caches of its own; this one is harmless.
    reader.setProperty("veil.cache.dekMax", "100001");

    long kmsBefore = kms == null ? 0 : kms.totalCalls();
    long describeBefore = kms == null ? 0 : kms.calls().getOrDefault("DescribeKey", 0L);
    Map<String, Long> write;
    try (Connection c = server.veilConnection(writer);
        PreparedStatement insert = c.prepareStatement("INSERT INTO " + table
            + " (id, email, note, amount, created_at) VALUES (?, ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (long id = 1; id <= rows; id++) {
        insert.setLong(1, id);
        insert.setString(2, values.email(id));
        insert.setString(3, values.note(id));
        insert.setLong(4, values.amount(id));
        insert.setTimestamp(5, values.createdAt(id));
        insert.addBatch();
        if (id % batchRows == 0 || id == rows) {
          insert.executeBatch();
          c.commit();
        }
      }
      write = kmsCalls(VeilInternals.keys(c).counters());
    }
    long kmsAfterWrite = kms == null ? 0 : kms.totalCalls();
    Map<String, Long> read;
    String cache;
    try (Connection c = server.veilConnection(reader)) {
      c.setAutoCommit(false);
      long count = 0;
      try (PreparedStatement scan = c.prepareStatement(
          "SELECT id, email, note FROM " + table + " ORDER BY id")) {
        scan.setFetchSize(10_000);
        try (ResultSet r = scan.executeQuery()) {
          while (r.next()) {
            long id = r.getLong(1);
            if (!values.email(id).equals(r.getString(2))
                || !values.note(id).equals(r.getString(3))) {
              throw new IllegalStateException(table + ": row " + id + " read back wrong");
            }
            count++;
          }
        }
      }
      c.commit();
      if (count != rows) {
        throw new IllegalStateException(table + ": read " + count + " rows of " + rows);
      }
      KeyCounters counters = VeilInternals.keys(c).counters();
      read = kmsCalls(counters);
      cache = String.format("reader direct row-key cache: %,d hits, %,d misses",
          counters.rowKeyHits(), counters.rowKeyMisses());
    }
    long total = write.get("total") + read.get("total");
    // Calls made once per configuration (DescribeKey when the AWS provider starts) do not
    // grow with rows; only the others are scaled.
    long fixed = 0;
    if (kms != null) {
      long atEndpoint = kms.totalCalls() - kmsBefore;
      write.put("at endpoint", kmsAfterWrite - kmsBefore);
      read.put("at endpoint", kms.totalCalls() - kmsAfterWrite);
      total = atEndpoint;
      fixed = kms.calls().getOrDefault("DescribeKey", 0L) - describeBefore;
    }
    long per1M;
    String scaled;
    if (rows == 1_000_000) {
      per1M = total;
      scaled = "measured";
    } else if (wrapping.equals("branch")) {
      per1M = total;
      scaled = String.format("measured on %,d rows; branch-key calls do not grow with rows", rows);
    } else {
      per1M = Math.round((total - fixed) * (1_000_000.0 / rows)) + fixed;
      scaled = String.format("extrapolated linearly from %,d rows; %d DescribeKey not scaled",
          rows, fixed);
    }
    try (Connection admin = server.plainConnection(); Statement s = admin.createStatement()) {
      s.execute("DROP TABLE " + table);
    }
    EndToEnd.log(String.format("KMS calls, %s wrapping, %,d rows written and read in %.1f s:"
        + " write %s, read %s; %s", wrapping, rows, (System.nanoTime() - t0) / 1e9, write, read,
        cache));
    return new Count(wrapping, rows, write, read, total, per1M, scaled, cache);
  }

  private static Map<String, Long> kmsCalls(KeyCounters k) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("GenerateDataKey", k.kmsGenerateDataKey());
    m.put("Wrap", k.kmsWrap());
    m.put("Unwrap", k.kmsUnwrap());
    m.put("total", k.kmsCalls());
    return m;
  }
}
