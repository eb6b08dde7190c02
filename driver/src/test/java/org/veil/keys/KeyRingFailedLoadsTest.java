package org.veil.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.veil.crypto.KeyId;
import org.veil.crypto.CellException;
import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyUnavailableException;
import org.veil.crypto.ValueType;
import org.veil.kms.FlakyKeyProvider;

/**
 * A key that cannot be loaded is looked up once per {@code veil.cache.failureExpireAfter}, not
 * once per cell: reading a table of cells under it must not cost a key store round trip (a new
 * TLS connection, before the store shared one) per row.
 */
class KeyRingFailedLoadsTest {

  private static final int READS = 1000;

  private final ManualTicker ticker = new ManualTicker();

  /** A key store that counts its lookups by key id. */
  private static final class CountingStore implements BranchKeyStore {
    final InMemoryBranchKeyStore keys = new InMemoryBranchKeyStore();
    final AtomicInteger finds = new AtomicInteger();

    @Override
    public Optional<StoredKey> active(String keyring, KeyPurpose purpose) {
      return keys.active(keyring, purpose);
    }

    @Override
    public Optional<StoredKey> find(KeyId id) {
      finds.incrementAndGet();
      return keys.find(id);
    }

    @Override
    public StoredKey activate(StoredKey candidate, Instant notBefore) {
      return keys.activate(candidate, notBefore);
    }
  }

  private TestCodec.Builder codec(FlakyKeyProvider provider, BranchKeyStore store) {
    return TestCodec.builder().keyProvider(provider).keyStore(store).ticker(ticker)
        .executor(Runnable::run).failureExpireAfter(Duration.ofSeconds(10));
  }

  @Test
  void cellsUnderAKeyTheStoreDoesNotHoldCostOneLookupPerFailureLifetime() throws Exception {
    FlakyKeyProvider provider = FlakyKeyProvider.withRandomKey();
    byte[] cell;
    try (TestCodec writer = codec(provider, new InMemoryBranchKeyStore()).build()) {
      cell = writer.seal(writer.beginRow(), KeyRingTest.SSN, ValueType.TEXT, "x");
    }
    CountingStore store = new CountingStore();
    try (TestCodec reader = codec(provider, store).build()) {
      String first = null;
      for (int i = 0; i < READS; i++) {
        Throwable t = catchOpen(reader, cell);
        assertThat(t).isInstanceOf(CellException.class).hasMessageContaining("key "
            + org.veil.crypto.CellShape.keyIdOf(cell) + " is not in the key store");
        first = first == null ? t.getMessage() : first;
        assertThat(t.getMessage()).isEqualTo(first);
      }
      assertThat(store.finds.get()).as("key store lookups within the lifetime").isEqualTo(1);
      assertThat(reader.counters().failedKeyRefused()).isEqualTo(READS - 1);

      ticker.advance(Duration.ofSeconds(11));
      assertThat(catchOpen(reader, cell)).isInstanceOf(CellException.class);
      assertThat(catchOpen(reader, cell)).isInstanceOf(CellException.class);
      assertThat(store.finds.get()).as("key store lookups after it expired").isEqualTo(2);
    }
  }

  @Test
  void cellsUnderAKeyWhoseMasterKeyIsNotConfiguredCostOneLookupAndNoProviderCall()
      throws Exception {
    FlakyKeyProvider newMaster = FlakyKeyProvider.withRandomKey();
    FlakyKeyProvider oldMaster = FlakyKeyProvider.withRandomKey();
    CountingStore store = new CountingStore();
    byte[] cell;
    try (TestCodec writer = codec(newMaster, store).build()) {
      cell = writer.seal(writer.beginRow(), KeyRingTest.SSN, ValueType.TEXT, "x");
    }
    int findsBefore = store.finds.get();
    // Only the old master key is configured: the key cannot be unwrapped.
    try (TestCodec reader = codec(oldMaster, store).build()) {
      int providerCalls = oldMaster.calls();
      Throwable previous = null;
      for (int i = 0; i < READS; i++) {
        Throwable t = catchOpen(reader, cell);
        assertThat(t).isInstanceOf(KeyUnavailableException.class)
            .hasMessageContaining("cannot load branch key");
        // One failure cached, but each refusal its own exception: threads share none.
        assertThat(t).isNotSameAs(previous);
        previous = t;
      }
      assertThat(store.finds.get() - findsBefore).isEqualTo(1);
      assertThat(oldMaster.calls()).isEqualTo(providerCalls);

      ticker.advance(Duration.ofSeconds(11));
      assertThat(catchOpen(reader, cell)).isInstanceOf(KeyUnavailableException.class);
      assertThat(store.finds.get() - findsBefore).isEqualTo(2);
    }
  }

  @Test
  void aKeyThatLoadsIsNotRefusedAfterItsFailureExpired() throws Exception {
    FlakyKeyProvider provider = FlakyKeyProvider.withRandomKey();
    CountingStore store = new CountingStore();
    InMemoryBranchKeyStore elsewhere = new InMemoryBranchKeyStore();
    byte[] cell;
    StoredKey key;
    try (TestCodec writer = codec(provider, elsewhere).build()) {
      cell = writer.seal(writer.beginRow(), KeyRingTest.SSN, ValueType.TEXT, "x");
      key = elsewhere.active(writer.keyRing().keyring(), KeyPurpose.BRANCH).orElseThrow();
    }
    try (TestCodec reader = codec(provider, store).build()) {
      assertThat(catchOpen(reader, cell)).isInstanceOf(CellException.class);
      store.keys.write(key, false); // the key replicates to this server
      assertThat(catchOpen(reader, cell)).as("still within the failure's lifetime")
          .isInstanceOf(CellException.class);

      ticker.advance(Duration.ofSeconds(11));
      assertThat(reader.open(KeyRingTest.SSN, cell).value()).isEqualTo("x");
    }
  }

  @Test
  void zeroLifetimeLooksTheKeyUpEveryTime() throws Exception {
    FlakyKeyProvider provider = FlakyKeyProvider.withRandomKey();
    byte[] cell;
    try (TestCodec writer = codec(provider, new InMemoryBranchKeyStore()).build()) {
      cell = writer.seal(writer.beginRow(), KeyRingTest.SSN, ValueType.TEXT, "x");
    }
    CountingStore store = new CountingStore();
    try (TestCodec reader = codec(provider, store).failureExpireAfter(Duration.ZERO).build()) {
      for (int i = 0; i < 5; i++) {
        assertThat(catchOpen(reader, cell)).isInstanceOf(CellException.class);
      }
      assertThat(store.finds.get()).isEqualTo(5);
    }
  }

  private static Throwable catchOpen(TestCodec reader, byte[] cell) {
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(() -> reader.open(KeyRingTest.SSN, cell)).satisfies(t -> thrown[0] = t);
    return thrown[0];
  }
}
