package org.veil.keys;

import org.veil.crypto.KeyUnavailableException;
import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;

import org.veil.crypto.RowSeal;
import org.veil.crypto.ValueType;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.kms.FlakyKeyProvider;

class KeyRingTest {

  static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy NOTES = ColumnPolicy.of("public", "customers", "notes",
      EncryptionMode.RANDOMIZED);

  private final FlakyKeyProvider provider;
  private final InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();
  private final ManualTicker ticker = new ManualTicker();

  KeyRingTest() throws Exception {
    provider = FlakyKeyProvider.withRandomKey();
  }

  private TestCodec.Builder codec() {
    return TestCodec.builder().keyProvider(provider).keyStore(store).ticker(ticker)
        .executor(Runnable::run).expireAfter(Duration.ofMinutes(15))
        .refreshAfter(Duration.ofMinutes(10)).grace(Duration.ofHours(1))
        .timeout(Duration.ofMillis(300));
  }

  @Test
  void aMillionValuesUnderOneBranchKeyCostOneProviderCallAndOneMoreOnAColdCache()
      throws Exception {
    int n = 1_000_000;
    byte[][] cells = new byte[n][];
    try (TestCodec writer = codec().dekMax(1000).build()) {
      for (int i = 0; i < n; i++) {
        RowSeal row = writer.beginRow();
        cells[i] = writer.seal(row, SSN, ValueType.INT, i);
      }
      assertThat(provider.calls()).isEqualTo(1);
      assertThat(provider.generated.get()).isEqualTo(1);
      assertThat(writer.counters().kmsCalls()).isEqualTo(1);
    }
    try (TestCodec reader = codec().dekMax(1000).build()) {
      for (int i = 0; i < n; i++) {
        if ((Integer) reader.open(SSN, cells[i]).value() != i) {
          throw new AssertionError("row " + i);
        }
      }
      assertThat(provider.calls()).isEqualTo(2);
      assertThat(provider.unwrapped.get()).isEqualTo(1);
      assertThat(reader.counters().branchKeyMisses()).isEqualTo(1);
    }
  }

  @Test
  void concurrentMissesOfOneKeyMakeOneProviderCall() throws Exception {
    byte[] cell;
    try (TestCodec writer = codec().build()) {
      cell = writer.seal(writer.beginRow(), SSN, ValueType.TEXT, "x");
    }
    provider.delay(200);
    int before = provider.calls();
    try (TestCodec reader = codec().build()) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Object>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return reader.open(SSN, cell).value();
        }));
      }
      start.countDown();
      for (Future<Object> f : results) {
        assertThat(f.get()).isEqualTo("x");
      }
      pool.shutdown();
    }
    assertThat(provider.calls() - before).isEqualTo(1);
  }

  @Test
  void providerDownCachedKeysWorkThroughGraceThenFailClearlyWithinBoundedTime()
      throws Exception {
    try (TestCodec codec = codec().build()) {
      byte[] cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "x");
      // Row keys are cached when unwrapped, not when written; this one is never opened.
      byte[] neverOpened = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "v");
      provider.down(true);

      ticker.advance(Duration.ofMinutes(11)); // refresh due: fails in the background
      assertThat(codec.open(SSN, cell).value()).isEqualTo("x");
      assertThat(codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "y")).isNotNull();

      ticker.advance(Duration.ofMinutes(30)); // past expireAfter, inside grace
      byte[] sealedDuringOutage = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "z");
      assertThat(codec.open(SSN, sealedDuringOutage).value()).isEqualTo("z");
      assertThat(codec.counters().staleKeyServed()).isPositive();

      ticker.advance(Duration.ofMinutes(35)); // 76 min > expireAfter + grace = 75 min
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "w"))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("keyring default")
          .hasMessageContaining("PT1H15M");
      byte[] cold = neverOpened;
      assertThatThrownBy(() -> codec.open(SSN, cold))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining(SSN.qualifiedName())
          .hasMessageContaining(org.veil.crypto.KeyId.read(cold, 5).toString());
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));

      provider.down(false);
      ticker.advance(Duration.ofSeconds(2)); // past the retry back-off
      assertThat(codec.open(SSN, cell).value()).isEqualTo("x");
    }
  }

  @Test
  void aHangingProviderFailsWithinTheTimeoutInsteadOfHanging() throws Exception {
    byte[] cell;
    try (TestCodec writer = codec().build()) {
      cell = writer.seal(writer.beginRow(), SSN, ValueType.TEXT, "x");
    }
    provider.hang();
    try (TestCodec reader = codec().build()) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> reader.open(SSN, cell))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("within PT0.3S");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    } finally {
      provider.release();
    }
  }

  @Test
  void theBranchKeyRotatesAfterItsAgeAndOldCellsStillOpen() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    try (TestCodec codec = codec().clock(clock).rotateAfter(Duration.ofDays(90)).build()) {
      byte[] before = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "old");
      KeyId first = KeyId.read(before, 5);
      clock.now = clock.now.plus(Duration.ofDays(91));
      // The active key is looked up again at most every 100 ms of the cache clock: no clock
      // call per row. Its due time is noticed then.
      ticker.advance(Duration.ofMillis(100));
      codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "trigger"); // rotation runs now
      byte[] after = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "new");
      KeyId second = KeyId.read(after, 5);
      assertThat(second).isNotEqualTo(first);
      assertThat(store.active("default", KeyPurpose.BRANCH).orElseThrow().id()).isEqualTo(second);
      assertThat(codec.open(SSN, before).value()).isEqualTo("old");
      assertThat(codec.open(SSN, after).value()).isEqualTo("new");
    }
  }

  @Test
  void theBranchKeyRotatesAfterRotateAfterRowsRowsAndOldCellsStillOpen() throws Exception {
    try (TestCodec codec = codec().rotateAfterRows(3).build()) {
      List<byte[]> cells = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        RowSeal row = codec.beginRow();
        cells.add(codec.seal(row, SSN, ValueType.INT, i));
        cells.add(codec.seal(row, NOTES, ValueType.INT, i)); // a row counts once, not per cell
      }
      List<KeyId> keys = cells.stream().map(c -> KeyId.read(c, 5)).toList();
      assertThat(keys.subList(0, 6)).containsOnly(keys.get(0));
      assertThat(keys.subList(6, 12)).containsOnly(keys.get(6));
      assertThat(keys.get(12)).isEqualTo(keys.get(13));
      assertThat(List.of(keys.get(0), keys.get(6), keys.get(12))).doesNotHaveDuplicates();
      assertThat(store.active("default", KeyPurpose.BRANCH).orElseThrow().id())
          .isEqualTo(keys.get(12));
      for (int i = 0; i < cells.size(); i++) {
        assertThat(codec.open(i % 2 == 0 ? SSN : NOTES, cells.get(i)).value()).isEqualTo(i / 2);
      }
    }
  }

  @Test
  void rotateAfterRowsCountsTheRowsOfOneInstanceOnly() throws Exception {
    try (TestCodec a = codec().rotateAfterRows(3).build();
        TestCodec b = codec().rotateAfterRows(3).build()) {
      List<KeyId> keys = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        keys.add(KeyId.read(a.seal(a.beginRow(), SSN, ValueType.INT, i), 5));
        keys.add(KeyId.read(b.seal(b.beginRow(), SSN, ValueType.INT, i), 5));
      }
      assertThat(keys).containsOnly(keys.get(0));
      assertThat(provider.generated.get()).isEqualTo(1);
    }
  }

  @Test
  void aCountRotationThatFailsKeepsTheOldKeySealingAndIsRetriedLater() throws Exception {
    try (TestCodec codec = codec().rotateAfterRows(2).build()) {
      KeyId first = KeyId.read(codec.seal(codec.beginRow(), SSN, ValueType.INT, 1), 5);
      provider.down(true);
      codec.seal(codec.beginRow(), SSN, ValueType.INT, 2); // the rotation fails here
      KeyId still = KeyId.read(codec.seal(codec.beginRow(), SSN, ValueType.INT, 3), 5);
      assertThat(still).isEqualTo(first);
      provider.down(false);
      ticker.advance(Duration.ofSeconds(2));
      codec.seal(codec.beginRow(), SSN, ValueType.INT, 4); // retried now
      KeyId next = KeyId.read(codec.seal(codec.beginRow(), SSN, ValueType.INT, 5), 5);
      assertThat(next).isNotEqualTo(first);
    }
  }

  @Test
  void aNegativeRotateAfterRowsIsRefusedAsAConfigurationError() {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("veil.keys.rotateAfterRows", "-1");
    assertThatThrownBy(() -> KeyHierarchy.open(props, null))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("veil.keys.rotateAfterRows")
        .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.INVALID_CONFIGURATION);
  }

  @Test
  void aKeyWrappedByAnotherMasterKeyIsRefusedNamingBothIds() throws Exception {
    byte[] cell;
    try (TestCodec writer = codec().build()) {
      cell = writer.seal(writer.beginRow(), SSN, ValueType.TEXT, "x");
    }
    FlakyKeyProvider other = FlakyKeyProvider.withRandomKey();
    try (TestCodec reader = TestCodec.builder().keyProvider(other).keyStore(store).build()) {
      assertThatThrownBy(() -> reader.open(SSN, cell))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining(provider.masterKeyId())
          .hasMessageContaining(other.masterKeyId());
      assertThat(other.calls()).isZero();
    }
  }

  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
