package org.veil.it.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.keys.TestCodec;
import org.veil.crypto.ValueType;
import org.veil.crypto.KeyId;
import org.veil.keys.PostgresBranchKeyStore;
import org.veil.kms.DataKey;
import org.veil.kms.KeyContext;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderException;
import org.veil.kms.LocalKeyProvider;
import org.veil.kms.UnwrappedKey;
import org.veil.kms.WrappedKey;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/** Branch keys in a real {@code veil_keys} table on the TLS 1.3 PostgreSQL fixture. */
class VeilKeysIT {

  static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "customers", "email",
      EncryptionMode.DETERMINISTIC);

  private final PostgresServer server = TestPostgres.shared();
  private final byte[] masterKey = new byte[32];

  VeilKeysIT() {
    new SecureRandom().nextBytes(masterKey);
  }

  private TestCodec.Builder codec(String table, KeyProvider provider) {
    return TestCodec.builder().keyProvider(provider)
        .keyStore(new PostgresBranchKeyStore(server::plainConnection, table));
  }

  private int count(String sql) throws Exception {
    try (Connection c = server.plainConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void instancesStartingAtOnceEndWithOneActiveKeyPerPurpose() throws Exception {
    String table = "veil_keys_race";
    int instances = 8;
    ExecutorService pool = Executors.newFixedThreadPool(instances);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<byte[][]>> sealed = new ArrayList<>();
    List<TestCodec> codecs = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      TestCodec codec = codec(table, LocalKeyProvider.ofKey(masterKey, new SecureRandom())).build();
      codecs.add(codec);
      sealed.add(pool.submit(() -> {
        start.await();
        return new byte[][] {codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "v"),
            codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, "e")};
      }));
    }
    start.countDown();
    Set<KeyId> branchIds = new HashSet<>();
    Set<String> deterministicCells = new HashSet<>();
    List<byte[]> cells = new ArrayList<>();
    for (Future<byte[][]> f : sealed) {
      byte[][] pair = f.get();
      branchIds.add(KeyId.read(pair[0], 5));
      deterministicCells.add(java.util.HexFormat.of().formatHex(pair[1]));
      cells.add(pair[0]);
    }
    pool.shutdown();
    assertThat(branchIds).hasSize(1);
    assertThat(deterministicCells).hasSize(1);
    assertThat(count("SELECT count(*) FROM " + table + " WHERE active AND purpose = 'branch'"))
        .isEqualTo(1);
    assertThat(count("SELECT count(*) FROM " + table + " WHERE active AND purpose = 'deterministic'"))
        .isEqualTo(1);
    for (TestCodec codec : codecs) {
      for (byte[] cell : cells) {
        assertThat(codec.open(SSN, cell).value()).isEqualTo("v");
      }
      codec.close();
    }
  }

  @Test
  void manyValuesCostOneProviderCallToWriteAndOneToReadColdWithRealVeilKeys() throws Exception {
    String table = "veil_keys_count";
    CountingProvider writerKms = new CountingProvider(masterKey);
    int n = 20_000;
    byte[][] cells = new byte[n][];
    try (TestCodec writer = codec(table, writerKms).build()) {
      for (int i = 0; i < n; i++) {
        cells[i] = writer.seal(writer.beginRow(), SSN, ValueType.INT, i);
      }
    }
    assertThat(writerKms.calls.get()).isEqualTo(1);
    CountingProvider readerKms = new CountingProvider(masterKey);
    try (TestCodec reader = codec(table, readerKms).build()) {
      for (int i = 0; i < n; i++) {
        assertThat(reader.open(SSN, cells[i]).value()).isEqualTo(i);
      }
    }
    assertThat(readerKms.calls.get()).isEqualTo(1);
  }

  @Test
  void rotationRetiresTheOldKeyInTheTableAndOldCellsStillOpen() throws Exception {
    String table = "veil_keys_rotation";
    MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    try (TestCodec codec = codec(table, LocalKeyProvider.ofKey(masterKey, new SecureRandom()))
        .clock(clock).ticker(nanos::get).rotateAfter(Duration.ofDays(90))
        .executor(Runnable::run).build()) {
      byte[] old = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "old");
      clock.now = clock.now.plus(Duration.ofDays(91));
      // The active key is looked up again at most every 100 ms of the caches' clock.
      nanos.addAndGet(Duration.ofMillis(100).toNanos());
      codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "rotation runs here");
      byte[] fresh = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "new");
      assertThat(KeyId.read(fresh, 5)).isNotEqualTo(KeyId.read(old, 5));
      assertThat(count("SELECT count(*) FROM " + table + " WHERE NOT active AND retired_at"
          + " IS NOT NULL AND key_id = '" + KeyId.read(old, 5) + "'")).isEqualTo(1);
      assertThat(codec.open(SSN, old).value()).isEqualTo("old");
    }
  }

  @Test
  void propertiesConfigureALocalKeystoreAndTheTableIsCreatedIfMissing() throws Exception {
    Path dir = Files.createTempDirectory("veil-keys-it");
    Path keyFile = dir.resolve("master.key");
    Files.write(keyFile, masterKey);
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    Properties props = new Properties();
    props.setProperty("veil.kms", "local");
    props.setProperty("veil.kms.keystore", keyFile.toString());
    props.setProperty("veil.keys.table", "veil_keys_props");
    props.setProperty("veil.keys.keyring", "billing");
    props.setProperty("veil.cache.expireAfter", "PT5M");
    props.setProperty("veil.cache.refreshAfter", "PT1M");
    try (TestCodec codec = TestCodec.fromProperties(props, server::plainConnection)) {
      byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "from properties");
      assertThat(codec.open(SSN, cell).value()).isEqualTo("from properties");
    }
    assertThat(count("SELECT count(*) FROM veil_keys_props WHERE keyring = 'billing' AND active"))
        .isEqualTo(1);
  }

  /** A local provider that counts its calls: the count "at the provider". */
  static final class CountingProvider implements KeyProvider {
    final AtomicInteger calls = new AtomicInteger();
    private final LocalKeyProvider delegate;

    CountingProvider(byte[] key) throws KeyProviderException {
      delegate = LocalKeyProvider.ofKey(key, new SecureRandom());
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public String masterKeyId() {
      return delegate.masterKeyId();
    }

    @Override
    public DataKey generateDataKey(KeyContext context) throws KeyProviderException {
      calls.incrementAndGet();
      return delegate.generateDataKey(context);
    }

    @Override
    public WrappedKey wrap(byte[] key, KeyContext context) throws KeyProviderException {
      calls.incrementAndGet();
      return delegate.wrap(key, context);
    }

    @Override
    public UnwrappedKey unwrap(byte[] blob, KeyContext context) throws KeyProviderException {
      calls.incrementAndGet();
      return delegate.unwrap(blob, context);
    }

    @Override
    public String describe() {
      return delegate.describe();
    }

    @Override
    public void close() {}
  }

  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
