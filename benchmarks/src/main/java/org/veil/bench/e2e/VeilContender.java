package org.veil.bench.e2e;

import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import org.veil.crypto.CellCodec;
import org.veil.keys.KeyHierarchy;
import org.veil.jdbc.VeilInternals;

/**
 * Veil: {@code jdbc:veil:postgresql://…} with a set of {@code veil.*} settings, the application
 * binding and reading plaintext. Every Veil variant (no encrypted column, randomized on either
 * per-row AES-GCM provider, deterministic, direct KMS wrapping) is one instance of this class;
 * only the settings, the stored type, the provider and what it can look up differ.
 *
 * <p>A variant may pin the per-row AES-GCM provider ({@code jdk} or {@code accp}): the driver
 * reads {@code -Dorg.veil.crypto.provider} when it builds a configuration's codec, on that
 * configuration's first connection, so {@link #connect} sets the property around it and then
 * checks, from the codec, that the provider asked for is the one in use (the run fails if the
 * driver stops reading it then). Unpinned variants get the run's choice ({@code auto} unless the
 * JVM was started with the property). The report names the provider each variant used.
 *
 * <p>A variant with a cold row-key cache empties the codec's cache of directly wrapped row keys
 * before every timed operation ({@link VeilInternals#forgetRowKeys}), untimed; the branch keys
 * stay cached, as they do in a running application. A variant with a loopback KMS starts it in
 * {@link #prepare} and stops it in {@link #close}.
 */
public final class VeilContender implements Contender {

  private final String id;
  private final String description;
  private final Function<Target, Map<String, String>> settings;
  private final String storedType;
  private final boolean canLookUpByEquality;
  private final boolean storesCiphertext;
  private boolean coldRowKeys;
  /** {@code jdk} or {@code accp}, or null for the run's choice. */
  private String pinnedProvider;
  /** The name of the provider {@link #pinnedProvider} stands for, found in {@link #prepare}. */
  private String expectedProvider;
  private String unavailable;
  /** The provider the codec uses, once connected. */
  private String usedProvider;
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

  /**
   * Both columns randomized (format v3: each row's key derived from the cached branch key and a
   * fresh nonce), local key provider, per-row AES-GCM on the JDK's provider (SunJCE): what every
   * deployment gets without ACCP, and on JDK 25 and later with it.
   */
  public static VeilContender randomized() {
    VeilContender c = new VeilContender("veil_rnd",
        "Veil, both columns randomized (format v3: row key derived per row from the cached"
            + " branch key and a fresh nonce), local key provider",
        t -> local(t, "bench-rnd", t.qualified(ProtectedColumn.EMAIL) + ", "
            + t.qualified(ProtectedColumn.NOTE)),
        "bytea", false, true);
    c.pinnedProvider = "jdk";
    return c;
  }

  /**
   * As {@link #randomized()}, per-row AES-GCM on Amazon Corretto Crypto Provider (what the driver
   * chooses before JDK 25 when ACCP is on the class path and healthy); not run without it.
   */
  public static VeilContender randomizedOnAccp() {
    VeilContender c = new VeilContender("veil_rnd_accp",
        "Veil randomized as veil_rnd, the per-row AES-GCM on Amazon Corretto Crypto Provider",
        t -> local(t, "bench-rnd-accp", t.qualified(ProtectedColumn.EMAIL) + ", "
            + t.qualified(ProtectedColumn.NOTE)),
        "bytea", false, true);
    c.pinnedProvider = "accp";
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
   * Direct wrapping: every row's key generated and wrapped by KMS (the seeds' form), through the
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

  /** The description, with the per-row AES-GCM provider the codec used once connected. */
  @Override
  public String description() {
    if (usedProvider == null || id.equals("veil_none")) {
      return description;
    }
    return description + "; per-row AES-GCM on " + usedProvider + (pinnedProvider == null
        ? " (the run's choice, " + GcmProviders.PROPERTY + "=" + GcmProviders.runChoice() + ")"
        : " (pinned)");
  }

  @Override
  public Optional<String> unavailableReason() {
    return Optional.ofNullable(unavailable);
  }

  @Override
  public void prepare(Target target) throws Exception {
    if (pinnedProvider != null && expectedProvider == null) {
      try {
        expectedProvider = GcmProviders.named(pinnedProvider).name();
      } catch (GeneralSecurityException e) {
        unavailable = e.getMessage();
        return;
      }
    }
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
    Connection c = pinnedProvider == null ? target.server().veilConnection(extra)
        : GcmProviders.with(pinnedProvider, () -> target.server().veilConnection(extra));
    codec = VeilInternals.keys(c);
    CellCodec cells = VeilInternals.codec(c);
    usedProvider = cells == null ? null : cells.provider().name();
    if (expectedProvider != null && !expectedProvider.equals(usedProvider)) {
      c.close();
      throw new IllegalStateException(id + ": asked the driver for " + pinnedProvider + " ("
          + expectedProvider + ") through " + GcmProviders.PROPERTY + " while its configuration"
          + " was built, and its codec uses " + usedProvider + ": the driver no longer reads the"
          + " property then; pin the provider another way");
    }
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
