package org.veil.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.keys.TestCodec;
import org.veil.crypto.ValueType;
import org.veil.keys.InMemoryBranchKeyStore;
import org.veil.crypto.KeyId;
import org.veil.crypto.KeyPurpose;
import org.veil.keys.MasterKeys;

/** The AWS KMS provider through the real AWS SDK client, against {@link FakeKmsServer}. */
class AwsKmsKeyProviderTest {

  static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "customers", "email",
      EncryptionMode.DETERMINISTIC);
  static FakeKmsServer kms;

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
    System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    kms = new FakeKmsServer();
  }

  @AfterAll
  static void stop() {
    kms.close();
  }

  /** The calls that wrap or unwrap, from the {@code from}th request on (no DescribeKey). */
  private static List<FakeKmsServer.Request> keyRequestsSince(int from) {
    return kms.requests.subList(from, kms.requests.size()).stream()
        .filter(r -> !r.operation().equals("DescribeKey")).toList();
  }

  private static KeyId randomId() {
    return KeyId.random(new java.security.SecureRandom());
  }

  private static KeyProviderSettings settings(String endpoint) {
    return KeyProviderSettings.builder().keyId(FakeKmsServer.ALIAS).region("us-east-1")
        .endpoint(endpoint).timeout(Duration.ofSeconds(2)).build();
  }

  @Test
  void theAliasResolvesToTheKeyArnAndDataKeysRoundTripWithTheirContext() throws Exception {
    try (KeyProvider aws = KeyProviders.create("aws", settings(kms.endpoint()),
        getClass().getClassLoader())) {
      assertThat(aws.masterKeyId()).isEqualTo(FakeKmsServer.ARN);
      KeyContext ctx1 = KeyContext.of(randomId(), "default", KeyPurpose.BRANCH);
      DataKey key = aws.generateDataKey(ctx1);
      assertThat(key.plaintext()).hasSize(32);
      assertThat(aws.unwrap(key.blob(), ctx1).plaintext()).isEqualTo(key.plaintext());
      assertThatThrownBy(() -> aws.unwrap(key.blob(),
          KeyContext.of(randomId(), "default", KeyPurpose.BRANCH)))
          .isInstanceOf(BlobAuthenticationException.class)
          .hasMessageContaining("InvalidCiphertextException")
          .satisfies(e -> assertThat(((KeyProviderException) e).isUnavailable()).isFalse());
      KeyContext ctx3 = KeyContext.keyIdOnly(randomId());
      WrappedKey wrapped = aws.wrap(key.plaintext(), ctx3);
      assertThat(aws.unwrap(wrapped.blob(), ctx3).plaintext()).isEqualTo(key.plaintext());
    }
  }

  @Test
  void branchWrappingSealsManyRowsWithOneKmsCallAndTheBranchKeyIdAsContext() throws Exception {
    InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();
    int generated = kms.count("GenerateDataKey");
    int decrypted = kms.count("Decrypt");
    byte[][] cells = new byte[10_000][];
    try (KeyProvider aws = KeyProviders.create("aws", settings(kms.endpoint()),
        getClass().getClassLoader());
        TestCodec codec = TestCodec.builder().keyProvider(aws).keyStore(store).build()) {
      for (int i = 0; i < cells.length; i++) {
        cells[i] = codec.seal(codec.beginRow(), SSN, ValueType.LONG, (long) i);
      }
      assertThat(kms.count("GenerateDataKey") - generated).isEqualTo(1);
      assertThat(kms.contexts).contains("GenerateDataKey " + KeyId.read(cells[0], 5));
    }
    try (KeyProvider aws = KeyProviders.create("aws", settings(kms.endpoint()),
        getClass().getClassLoader());
        TestCodec cold = TestCodec.builder().keyProvider(aws).keyStore(store).build()) {
      for (int i = 0; i < cells.length; i++) {
        assertThat(cold.open(SSN, cells[i]).value()).isEqualTo((long) i);
      }
      assertThat(kms.count("Decrypt") - decrypted).isEqualTo(1);
    }
  }

  @Test
  void theEncryptionContextSentNamesTheKeyIdKeyringAndPurposeOfEachKey() throws Exception {
    InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();
    int sent = kms.requests.size();
    byte[] randomized;
    byte[] deterministic;
    try (KeyProvider aws = KeyProviders.create("aws", settings(kms.endpoint()),
        getClass().getClassLoader());
        TestCodec codec = TestCodec.builder().keyProvider(aws).keyStore(store)
            .keyring("billing").build()) {
      randomized = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "078-05-1120");
      deterministic = codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT, "a@example.com");
    }
    String branch = store.active("billing", KeyPurpose.BRANCH).orElseThrow().id().toString();
    String det = store.active("billing", KeyPurpose.DETERMINISTIC).orElseThrow().id().toString();
    assertThat(keyRequestsSince(sent)).containsExactlyInAnyOrder(
        new FakeKmsServer.Request("GenerateDataKey", Map.of("veil:key", branch,
            "veil:keyring", "billing", "veil:purpose", "branch")),
        new FakeKmsServer.Request("GenerateDataKey", Map.of("veil:key", det,
            "veil:keyring", "billing", "veil:purpose", "deterministic")));

    sent = kms.requests.size();
    try (KeyProvider aws = KeyProviders.create("aws", settings(kms.endpoint()),
        getClass().getClassLoader());
        TestCodec cold = TestCodec.builder().keyProvider(aws).keyStore(store)
            .keyring("billing").build()) {
      assertThat(cold.open(SSN, randomized).value()).isEqualTo("078-05-1120");
      assertThat(cold.open(EMAIL, deterministic).value()).isEqualTo("a@example.com");
    }
    assertThat(keyRequestsSince(sent)).containsExactlyInAnyOrder(
        new FakeKmsServer.Request("Decrypt", Map.of("veil:key", branch,
            "veil:keyring", "billing", "veil:purpose", "branch")),
        new FakeKmsServer.Request("Decrypt", Map.of("veil:key", det,
            "veil:keyring", "billing", "veil:purpose", "deterministic")));
  }

  @Test
  void kmsRefusesABlobMadeForOnePurposeOrKeyringWhenAskedForAnother() throws Exception {
    try (KeyProvider aws = KeyProviders.create("aws", settings(kms.endpoint()),
        getClass().getClassLoader())) {
      KeyId id = randomId();
      DataKey key = aws.generateDataKey(KeyContext.of(id, "billing", KeyPurpose.DETERMINISTIC));
      for (KeyContext other : List.of(KeyContext.of(id, "billing", KeyPurpose.BRANCH),
          KeyContext.of(id, "default", KeyPurpose.DETERMINISTIC), KeyContext.keyIdOnly(id))) {
        assertThatThrownBy(() -> aws.unwrap(key.blob(), other))
            .as(other.toString())
            .isInstanceOf(BlobAuthenticationException.class)
            .hasMessageContaining("InvalidCiphertextException")
            .hasMessageContaining(other.toString());
      }
    }
  }

  @Test
  void aPreviousMasterKeyIsAnotherKmsKeyOnTheSameEndpointThatUnwrapsTheKeysUnderIt()
      throws Exception {
    InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();
    byte[] cell;
    KeyProviderSettings before = KeyProviderSettings.builder().keyId(FakeKmsServer.OTHER_ALIAS)
        .region("us-east-1").endpoint(kms.endpoint()).timeout(Duration.ofSeconds(2)).build();
    try (KeyProvider old = KeyProviders.create("aws", before, getClass().getClassLoader());
        TestCodec codec = TestCodec.builder().keyProvider(old).keyStore(store).build()) {
      cell = codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "under the old key");
    }
    Properties props = new Properties();
    props.setProperty("veil.kms", "aws");
    props.setProperty("veil.kms.keyId", FakeKmsServer.ALIAS);
    props.setProperty("veil.kms.previousKeys", FakeKmsServer.OTHER_ALIAS);
    props.setProperty("veil.kms.region", "us-east-1");
    props.setProperty("veil.kms.endpoint", kms.endpoint());

    try (MasterKeys keys = MasterKeys.open(props, getClass().getClassLoader());
        TestCodec codec = TestCodec.builder().keyProvider(keys.current())
            .previousKeyProviders(keys.previous()).keyStore(store).keyring("after").build()) {
      assertThat(keys.current().masterKeyId()).isEqualTo(FakeKmsServer.ARN);
      assertThat(keys.previous()).extracting(KeyProvider::masterKeyId)
          .containsExactly(FakeKmsServer.OTHER_ARN);
      assertThat(codec.open(SSN, cell).value()).isEqualTo("under the old key");
      codec.seal(codec.beginRow(), SSN, ValueType.TEXT, "new");
      assertThat(store.active("after", KeyPurpose.BRANCH).orElseThrow().masterKeyId())
          .isEqualTo(FakeKmsServer.ARN);
    }
  }

  @Test
  void anAnswerForAnotherKeyIsRefused() throws Exception {
    try (KeyProvider aws = KeyProviders.create("aws", settings(kms.endpoint()),
        getClass().getClassLoader())) {
      kms.answerKeyId = "arn:aws:kms:us-east-1:111122223333:key/another";
      assertThatThrownBy(() -> aws.generateDataKey(KeyContext.keyIdOnly(randomId())))
          .isInstanceOf(KeyProviderException.class)
          .hasMessageContaining("key/another")
          .hasMessageContaining(FakeKmsServer.ARN);
    } finally {
      kms.answerKeyId = null;
    }
  }

  @Test
  void anUnreachableEndpointFailsAsUnavailableWithinTheTimeout() throws Exception {
    try (KeyProvider aws = KeyProviders.create("aws", settings(kms.endpoint()),
        getClass().getClassLoader())) {
      FakeKmsServer other = new FakeKmsServer();
      String endpoint = other.endpoint();
      other.close();
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> KeyProviders.create("aws", settings(endpoint),
          getClass().getClassLoader()))
          .isInstanceOf(KeyProviderException.class)
          .satisfies(e -> assertThat(((KeyProviderException) e).isUnavailable()).isTrue());
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      assertThat(aws.describe()).isEqualTo(FakeKmsServer.ARN);
    }
  }
}
