package org.veil.bench.e2e;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.veil.keys.KeyHierarchy;
import org.veil.jdbc.VeilInternals;

/**
 * Veil: {@code jdbc:veil:postgresql://…} with a set of {@code veil.*} settings, the application
 * binding and reading plaintext. Every Veil variant the issue asks for (no encrypted column,
 * randomized with a warm or cold key cache, deterministic, direct KMS wrapping) is one instance
 * of this class; only the settings, the stored type and what it can look up differ.
 *
 * <p>A cold-cache variant empties the codec's row-key (DEK) cache before every timed operation
 * ({@link VeilInternals#forgetRowKeys}), untimed, so each row read unwraps its row key once; the
 * branch keys stay cached, as they do in a running application. Veil caches only directly
 * wrapped row keys; a branch-wrapped one is unwrapped for every row read, warm or cold, so the
 * randomized variants measure one path twice: the cold one shows that nothing is lost by that. A variant with a loopback KMS
 * starts it in {@link #prepare} and stops it in {@link #close}.
 */
public final class VeilContender implements Contender {

  private final String id;
  private final String description;
  private final Function<Target, Map<String, String>> settings;
  private final String storedType;
  private final boolean canLookUpByEquality;
  private final boolean storesCiphertext;
  private boolean coldRowKeys;
  private LoopbackKms kms;
  private int maxPreloadRows = Integer.MAX_VALUE;
  private final Map<String, String> notMeasured = new HashMap<>();
  private KeyHierarchy codec;

  /**
   * @param settings the {@code veil.*} properties for a target, e.g. {@code veil.columns} naming
   *     {@link Target#qualified} columns
   * @param storedType the SQL type of the protected columns in this contender's table
   */
  public VeilContender(String id, String description,
      Function<Target, Map<String, String>> settings, String storedType,
      boolean canLookUpByEquality, boolean storesCiphertext) {
    this.id = id;
    this.description = description;
    this.settings = settings;
    this.storedType = storedType;
    this.canLookUpByEquality = canLookUpByEquality;
    this.storesCiphertext = storesCiphertext;
  }

  /** Veil as a pass-through: its URL and TLS policy, no {@code veil.columns}. */
  public static VeilContender withoutEncryptedColumns() {
    return new VeilContender("veil_none",
        "Veil, jdbc:veil:postgresql with no veil.columns: the wrapper and its TLS 1.3 "
            + "verify-full policy, nothing encrypted",
        target -> Map.of(), "text", true, false);
  }

  /** Both columns randomized, branch-key wrapping, local key provider; caches warm. */
  public static VeilContender randomized() {
    return new VeilContender("veil_rnd",
        "Veil, both columns randomized (per-row DEK, branch-key wrapping), local key provider,"
            + " branch key cached; each row read unwraps its row key under it (Veil caches"
            + " only directly wrapped row keys)",
        t -> local(t, "bench-rnd", t.qualified(ProtectedColumn.EMAIL) + ", "
            + t.qualified(ProtectedColumn.NOTE)),
        "bytea", false, true);
  }

  /** As {@link #randomized()}, with the row-key cache emptied before each timed operation. */
  public static VeilContender randomizedCold() {
    VeilContender c = new VeilContender("veil_rnd_cold",
        "Veil randomized as veil_rnd, row-key (DEK) cache emptied before every timed operation"
            + " (branch-wrapped row keys are not cached anyway: the same path as veil_rnd)",
        t -> local(t, "bench-rnd-cold", t.qualified(ProtectedColumn.EMAIL) + ", "
            + t.qualified(ProtectedColumn.NOTE)),
        "bytea", false, true);
    c.coldRowKeys = true;
    return c;
  }

  /** email deterministic (AES-SIV), note randomized; local key provider. */
  public static VeilContender deterministic() {
    return new VeilContender("veil_det",
        "Veil, email deterministic (AES-SIV, so WHERE email = ? works), note randomized, local"
            + " key provider, caches warm",
        t -> local(t, "bench-det", t.qualified(ProtectedColumn.EMAIL) + ":deterministic, "
            + t.qualified(ProtectedColumn.NOTE)),
        "bytea", true, true);
  }

  /**
   * Direct wrapping: every row's DEK generated and wrapped by KMS (the seeds' form), through the
   * AWS SDK against {@link LoopbackKms} with its added latency; row-key cache cold, so each row
   * read is one KMS Decrypt. Workloads whose operations would take minutes at one KMS round trip
   * per row are not measured: their cost per row is the KMS latency.
   */
  public static VeilContender direct() {
    double latency = LoopbackKms.configuredLatencyMillis();
    VeilContender c = new VeilContender("veil_direct",
        String.format(java.util.Locale.ROOT, "Veil randomized with veil.keys.wrapping=direct:"
            + " one KMS call per row written and per row read (row-key cache emptied before"
            + " every operation), veil.kms=aws through the AWS SDK to a loopback KMS endpoint"
            + " adding %.1f ms per call", latency),
        null, "bytea", false, true);
    c.coldRowKeys = true;
    c.maxPreloadRows = 1000;
    String perRow = String.format(java.util.Locale.ROOT,
        "not measured: one KMS call (%.1f ms) per row", latency);
    c.notMeasured.put("batch", perRow + " makes a batch take rows x latency");
    c.notMeasured.put("scan", perRow + " makes a scan take rows x latency");
    return c;
  }

  private static Map<String, String> local(Target t, String keyring, String columns) {
    Map<String, String> m = new LinkedHashMap<>(LocalMasterKey.veilSettings(keyring));
    m.put("veil.columns", columns);
    return m;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void prepare(Target target) throws Exception {
    if (settings == null && kms == null) {
      kms = new LoopbackKms(LoopbackKms.configuredLatencyMillis());
    }
  }

  @Override
  public Connection connect(Target target) throws SQLException {
    Properties extra = new Properties();
    if (settings != null) {
      extra.putAll(settings.apply(target));
    } else {
      extra.putAll(kms.veilSettings());
      extra.setProperty("veil.keys.wrapping", "direct");
      extra.setProperty("veil.keys.keyring", "bench-direct");
      extra.setProperty("veil.columns", target.qualified(ProtectedColumn.EMAIL) + ", "
          + target.qualified(ProtectedColumn.NOTE));
    }
    Connection c = target.server().veilConnection(extra);
    codec = VeilInternals.keys(c);
    return c;
  }

  @Override
  public String protectedColumnType(ProtectedColumn column) {
    return storedType;
  }

  @Override
  public boolean canLookUpByEquality() {
    return canLookUpByEquality;
  }

  @Override
  public boolean storesCiphertext() {
    return storesCiphertext;
  }

  @Override
  public String notMeasured(String workloadId) {
    return notMeasured.get(workloadId);
  }

  @Override
  public int preloadRows(int requested) {
    return Math.min(requested, maxPreloadRows);
  }

  @Override
  public void beforeOperation(Connection connection) throws SQLException {
    if (coldRowKeys) {
      VeilInternals.forgetRowKeys(connection);
    }
  }

  @Override
  public Map<String, Long> keyCounters() {
    Map<String, Long> m = codec == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(codec.counters().snapshot());
    if (kms != null) {
      m.put("loopbackKms.calls", kms.totalCalls());
    }
    return m;
  }

  @Override
  public void close() {
    if (kms != null) {
      kms.close();
      kms = null;
    }
  }
}
