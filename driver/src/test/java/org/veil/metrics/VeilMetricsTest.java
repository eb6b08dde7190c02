package org.veil.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.crypto.CellEvents;
import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyUnavailableException;
import org.veil.crypto.RowSeal;
import org.veil.crypto.ValueType;
import org.veil.crypto.Wrapping;
import org.veil.error.VeilError;
import org.veil.keys.InMemoryBranchKeyStore;
import org.veil.keys.KeyCounters.KmsOperation;
import org.veil.keys.ManualTicker;
import org.veil.keys.TestCodec;
import org.veil.kms.FlakyKeyProvider;

/**
 * Veil's meters in a Micrometer {@link SimpleMeterRegistry}, counting real seals, opens and
 * key provider calls of a key hierarchy ({@link TestCodec}).
 */
class VeilMetricsTest {

  static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "customers", "email",
      EncryptionMode.DETERMINISTIC);

  private final FlakyKeyProvider provider;
  private final InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();
  private final ManualTicker ticker = new ManualTicker();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final VeilMetrics metrics = new VeilMetrics(registry);
  private final List<VeilMetrics> published = new ArrayList<>();

  VeilMetricsTest() throws Exception {
    provider = FlakyKeyProvider.withRandomKey();
    publish(metrics, "orders", false);
  }

  @AfterEach
  void unpublish() {
    published.forEach(VeilMetrics::unpublish);
  }

  private void publish(VeilMetrics m, String name, boolean jmx) {
    m.publish(name, jmx);
    published.add(m);
  }

  private TestCodec.Builder codec(VeilMetrics m) {
    return TestCodec.builder().keyProvider(provider).keyStore(store).ticker(ticker)
        .executor(Runnable::run).timeout(Duration.ofMillis(300)).counters(m.keyCounters());
  }

  private double counter(String name, String tag, String value) {
    return registry.get(name).tag("name", "orders").tag(tag, value).functionCounter().count();
  }

  private double counter(String name) {
    return registry.get(name).tag("name", "orders").functionCounter().count();
  }

  private double kmsCalls(KmsOperation op) {
    return registry.get("veil.kms.calls").tag("name", "orders").tag("operation", op.tag())
        .functionTimer().count();
  }

  @Test
  void cellsSealedAndOpenedAreCountedByKind() throws Exception {
    List<byte[]> randomized = new ArrayList<>();
    List<byte[]> deterministic = new ArrayList<>();
    try (TestCodec codec = codec(metrics).build()) {
      for (int i = 0; i < 5; i++) {
        RowSeal row = codec.beginRow();
        randomized.add(codec.seal(row, SSN, ValueType.TEXT, "ssn-" + i));
        if (i < 3) {
          deterministic.add(codec.seal(row, EMAIL, ValueType.TEXT, "mail-" + i));
        }
      }
      for (byte[] cell : randomized) {
        codec.open(SSN, cell);
      }
      codec.open(EMAIL, deterministic.get(0));
    }
    assertThat(counter("veil.cells.sealed", "kind", "randomized")).isEqualTo(5);
    assertThat(counter("veil.cells.sealed", "kind", "deterministic")).isEqualTo(3);
    assertThat(counter("veil.cells.sealed", "kind", "direct")).isZero();
    assertThat(counter("veil.cells.opened", "kind", "randomized")).isEqualTo(5);
    assertThat(counter("veil.cells.opened", "kind", "deterministic")).isEqualTo(1);
    assertThat(metrics.diagnostics().cellsSealed(CellEvents.Kind.RANDOMIZED)).isEqualTo(5);
  }

  @Test
  void directlyWrappedCellsAreCountedAsDirectWithTheirProviderCalls() throws Exception {
    byte[] cell;
    try (TestCodec codec = codec(metrics).wrapping(Wrapping.DIRECT).build()) {
      cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "direct");
      codec.open(SSN, cell);
    }
    assertThat(counter("veil.cells.sealed", "kind", "direct")).isEqualTo(1);
    assertThat(counter("veil.cells.opened", "kind", "direct")).isEqualTo(1);
    assertThat(kmsCalls(KmsOperation.GENERATE_DATA_KEY)).isEqualTo(provider.generated.get());
  }

  @Test
  void kmsCallsAndKeyCacheTrafficAreCountedAsTheProviderSawThem() throws Exception {
    List<byte[]> cells = new ArrayList<>();
    try (TestCodec writer = codec(metrics).build()) {
      for (int i = 0; i < 10; i++) {
        cells.add(writer.seal(writer.beginRow(), SSN, ValueType.INT, i));
      }
    }
    assertThat(kmsCalls(KmsOperation.GENERATE_DATA_KEY)).isEqualTo(1);
    assertThat(provider.generated.get()).isEqualTo(1);
    SimpleMeterRegistry readerRegistry = new SimpleMeterRegistry();
    VeilMetrics readerMetrics = new VeilMetrics(readerRegistry);
    publish(readerMetrics, "reader", false);
    try (TestCodec reader = codec(readerMetrics).build()) {
      for (byte[] cell : cells) {
        reader.open(SSN, cell);
      }
    }
    assertThat(provider.unwrapped.get()).isEqualTo(1);
    assertThat(readerRegistry.get("veil.kms.calls").tag("operation", "unwrap").functionTimer()
        .count()).isEqualTo(1);
    assertThat(readerRegistry.get("veil.kms.calls").tag("operation", "unwrap").functionTimer()
        .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
    assertThat(readerRegistry.get("veil.keys.cache.gets").tag("result", "miss")
        .functionCounter().count()).isEqualTo(1);
    assertThat(readerRegistry.get("veil.keys.cache.loads").functionCounter().count())
        .isEqualTo(1);
    // Ten cells read under one key: the first a miss, the other nine answered by the cache.
    assertThat(readerRegistry.get("veil.keys.cache.gets").tag("result", "hit")
        .functionCounter().count()).isEqualTo(9);
    assertThat(readerRegistry.get("veil.kms.errors").tag("operation", "unwrap")
        .functionCounter().count()).isZero();
  }

  @Test
  void aFailedProviderCallIsCountedAsAnErrorOfItsOperation() throws Exception {
    byte[] cell;
    try (TestCodec writer = codec(new VeilMetrics(null)).build()) {
      cell = writer.seal(writer.beginRow(), SSN, ValueType.TEXT, "x");
    }
    provider.down(true);
    try (TestCodec reader = codec(metrics).build()) {
      assertThatThrownBy(() -> reader.open(SSN, cell))
          .isInstanceOf(KeyUnavailableException.class);
    }
    assertThat(kmsCalls(KmsOperation.UNWRAP)).isEqualTo(1);
    assertThat(counter("veil.kms.errors", "operation", "unwrap")).isEqualTo(1);
    assertThat(counter("veil.cells.failed")).isEqualTo(1);
    assertThat(counter("veil.cells.opened", "kind", "randomized")).isZero();
  }

  @Test
  void refusalsAreCountedByReason() {
    metrics.refused(VeilError.PLAINTEXT_REFUSED);
    metrics.refused(VeilError.PLAINTEXT_REFUSED);
    metrics.refused(VeilError.CELL_INVALID);
    assertThat(counter("veil.refusals", "reason", "plaintext_refused")).isEqualTo(2);
    assertThat(counter("veil.refusals", "reason", "cell_invalid")).isEqualTo(1);
    assertThat(counter("veil.refusals", "reason", "operation_refused")).isZero();
    assertThat(metrics.diagnostics().refusals(VeilError.PLAINTEXT_REFUSED)).isEqualTo(2);
  }

  @Test
  void noTagOrMeterNameHoldsAPlaintextAKeyIdOrAColumnName() throws Exception {
    List<String> plaintexts = List.of("123-45-6789", "alice@example.com", "4111111111111111");
    String branchKeyId;
    String deterministicKeyId;
    try (TestCodec codec = codec(metrics).build()) {
      for (String p : plaintexts) {
        RowSeal row = codec.beginRow();
        codec.open(SSN, codec.seal(row, SSN, ValueType.TEXT, p));
        codec.open(EMAIL, codec.seal(row, EMAIL, ValueType.TEXT, p));
      }
      branchKeyId = codec.keyRing().activeKey(KeyPurpose.BRANCH).id().toString();
      deterministicKeyId = codec.keyRing().activeKey(KeyPurpose.DETERMINISTIC).id().toString();
    }
    List<String> forbidden = new ArrayList<>(plaintexts);
    forbidden.addAll(List.of(branchKeyId, deterministicKeyId, provider.masterKeyId(),
        "customers", "ssn", "email"));
    assertThat(registry.getMeters()).isNotEmpty();
    for (Meter meter : registry.getMeters()) {
      List<String> words = new ArrayList<>();
      words.add(meter.getId().getName());
      for (Tag tag : meter.getId().getTags()) {
        words.add(tag.getKey());
        words.add(tag.getValue());
      }
      for (String word : words) {
        for (String secret : forbidden) {
          assertThat(word).as(meter.getId().toString()).doesNotContainIgnoringCase(secret);
        }
      }
    }
  }

  @Test
  void everyMeterIsTaggedWithTheDataSourcesNameAndOneOfAFewBoundedTags() {
    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getTag("name")).isEqualTo("orders");
      for (Tag tag : meter.getId().getTags()) {
        assertThat(tag.getKey()).isIn("name", "operation", "result", "kind", "reason");
      }
    }
    // 4 operations x (timer + errors), 7 key counters, 3 kinds x 2, cells failed, reasons.
    assertThat(registry.getMeters()).hasSize(4 * 2 + 7 + 3 * 2 + 1 + VeilError.values().length);
  }

  @Test
  void unpublishRemovesTheMeters() {
    metrics.unpublish();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void theJmxBeanReadsTheLiveCounters() throws Exception {
    VeilMetrics jmx = new VeilMetrics(new SimpleMeterRegistry());
    publish(jmx, "jmx-test", true);
    ObjectName name = JmxMetrics.objectName("jmx-test");
    jmx.refused(VeilError.OPERATION_REFUSED);
    try (TestCodec codec = codec(jmx).build()) {
      codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "x");
    }
    assertThat(ManagementFactory.getPlatformMBeanServer()
        .getAttribute(name, "refusals.operation_refused")).isEqualTo(1L);
    assertThat(ManagementFactory.getPlatformMBeanServer()
        .getAttribute(name, "cells.sealed.randomized")).isEqualTo(1L);
    jmx.unpublish();
    assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isFalse();
  }

  @Test
  void aSecondDataSourceOfTheSameNameGetsItsOwnJmxName() throws Exception {
    VeilMetrics first = new VeilMetrics(new SimpleMeterRegistry());
    VeilMetrics second = new VeilMetrics(new SimpleMeterRegistry());
    publish(first, "twice", true);
    publish(second, "twice", true);
    second.refused(VeilError.CELL_INVALID);
    assertThat(ManagementFactory.getPlatformMBeanServer()
        .getAttribute(JmxMetrics.objectName("twice"), "refusals.cell_invalid")).isEqualTo(0L);
    assertThat(ManagementFactory.getPlatformMBeanServer()
        .getAttribute(JmxMetrics.objectName("twice-2"), "refusals.cell_invalid"))
        .isEqualTo(1L);
  }

  @Test
  void aRegistryThatIsNotAMeterRegistryIsRefused() {
    assertThatThrownBy(() -> new VeilMetrics("not a registry"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MeterRegistry");
  }
}
