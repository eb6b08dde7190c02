package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.keys.InMemoryBranchKeyStore;
import org.veil.keys.StoredKey;
import org.veil.kms.FlakyKeyProvider;
import org.veil.kms.WrappedKey;

/**
 * The test vectors of docs/FORMAT.md, compared byte for byte: with what {@link CellCodec}
 * writes, and with a reference computation from the document's rules alone (plain JCE), so the
 * document, the code and the rules agree.
 */
class CellFormatVectorsTest {

  private static final HexFormat HEX = HexFormat.of();
  static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "customers", "email",
      EncryptionMode.DETERMINISTIC);
  static final KeyId BRANCH_ID = KeyId.parse("00112233-4455-6677-8899-aabbccddeeff");
  static final KeyId NEXT_BRANCH_ID = KeyId.parse("ffeeddcc-bbaa-9988-7766-554433221100");
  static final String SSN_VALUE = "078-05-1120";

  static byte[] range(int first, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
  }

  static BranchKey branchKey() {
    return BranchKey.of(BRANCH_ID, KeyPurpose.BRANCH, range(0x00, 32));
  }

  static BranchKey nextBranchKey() {
    return BranchKey.of(NEXT_BRANCH_ID, KeyPurpose.BRANCH, range(0x80, 32));
  }

  /** The hex after {@code name:} in docs/FORMAT.md. */
  static String vector(String name) throws Exception {
    Path doc = Path.of(System.getProperty("user.dir")).resolve("../docs/FORMAT.md");
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ": ([0-9a-f]+)$")
        .matcher(Files.readString(doc));
    return m.find() ? m.group(1) : "(no vector named " + name + " in " + doc + ")";
  }

  private static CellCodec codec() throws Exception {
    return CellCodec.builder().keyProvider(FlakyKeyProvider.withRandomKey())
        .keyStore(new InMemoryBranchKeyStore()).build();
  }

  /** A codec whose key store holds {@code keys} (the last one active), so it opens the vectors. */
  static CellCodec codecHolding(BranchKey... keys) throws Exception {
    FlakyKeyProvider provider = FlakyKeyProvider.withRandomKey();
    InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();
    Instant created = Instant.parse("2024-01-01T00:00:00Z");
    for (BranchKey key : keys) {
      byte[] material = key.copyOfKeyBytes();
      WrappedKey wrapped = provider.wrap(material, key.id().toString());
      BranchKey.clear(material);
      store.activate(new StoredKey(key.id(), "default", key.purpose(), wrapped.blob(),
          provider.name(), wrapped.masterKeyId(), created), created.plusMillis(1));
      created = created.plusSeconds(60);
    }
    return CellCodec.builder().keyProvider(provider).keyStore(store)
        .clock(java.time.Clock.fixed(created, java.time.ZoneOffset.UTC)).build();
  }

  // ---------------------------------------------------------------- reference, from FORMAT.md

  private static byte[] gcm(byte[] key, byte[] iv, byte[] aad, byte[] plaintext)
      throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    c.updateAAD(aad);
    return c.doFinal(plaintext);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Wrap IV, then AES-256-GCM(branch key, row key, AAD = 56 4c version 00 + key id). */
  static byte[] referenceWrap(int version, KeyId id, byte[] branchKey, byte[] wrapIv)
      throws Exception {
    byte[] aad = concat(new byte[] {0x56, 0x4c, (byte) version, 0}, id.toBytes());
    return concat(wrapIv, gcm(branchKey, wrapIv, aad, range(0x20, 32)));
  }

  /** A kind 0 cell of the given version for the SSN vector, by the rules of FORMAT.md. */
  static byte[] referenceCell(int version, KeyId id, byte[] branchKey, byte[] wrapIv)
      throws Exception {
    byte[] header = concat(new byte[] {0x56, 0x4c, (byte) version, 0, 1}, id.toBytes(),
        referenceWrap(version, id, branchKey, wrapIv));
    byte[] context = "public.customers.ssn".getBytes(StandardCharsets.UTF_8);
    byte[] aad = version == 1 ? concat(header, context)
        : concat(Arrays.copyOf(header, 5), context);
    byte[] iv = range(0x50, 12);
    return concat(header, iv, gcm(range(0x20, 32), iv, aad,
        SSN_VALUE.getBytes(StandardCharsets.UTF_8)));
  }

  // ---------------------------------------------------------------- version 1

  @Test
  void v1WrappedRowKeyAndRandomizedCellMatchFormatMd() throws Exception {
    assertThat(HEX.formatHex(referenceWrap(1, BRANCH_ID, range(0x00, 32), range(0x40, 12))))
        .isEqualTo(vector("wrapped-row-key"));
    assertThat(HEX.formatHex(referenceCell(1, BRANCH_ID, range(0x00, 32), range(0x40, 12))))
        .isEqualTo(vector("randomized-cell"));
  }

  @Test
  void v1RandomizedCellVectorStillOpens() throws Exception {
    try (CellCodec codec = codecHolding(branchKey())) {
      byte[] cell = HEX.parseHex(vector("randomized-cell"));
      assertThat(codec.looksLikeCell(cell)).isTrue();
      assertThat(codec.open(SSN, cell).value()).isEqualTo(SSN_VALUE);
    }
  }

  @Test
  void deterministicCellVectorMatchesFormatMd() throws Exception {
    try (CellCodec codec = codec()) {
      BranchKey key = BranchKey.of(KeyId.parse("0f0e0d0c-0b0a-0908-0706-050403020100"),
          KeyPurpose.DETERMINISTIC, range(0x60, 32));
      byte[] cell = codec.sealDeterministic(key, EMAIL, ValueType.TEXT,
          "alice@example.com".getBytes(StandardCharsets.UTF_8));
      assertThat(HEX.formatHex(cell)).isEqualTo(vector("deterministic-cell"));
    }
  }

  @Test
  void intValueVectorMatchesFormatMd() throws Exception {
    try (CellCodec codec = codec()) {
      BranchKey key = BranchKey.of(KeyId.parse("0f0e0d0c-0b0a-0908-0706-050403020100"),
          KeyPurpose.DETERMINISTIC, range(0x60, 32));
      byte[] cell = codec.sealDeterministic(key, EMAIL, ValueType.INT, ValueType.INT.encode(42));
      assertThat(HEX.formatHex(cell)).isEqualTo(vector("deterministic-int-cell"));
    }
  }

  // ---------------------------------------------------------------- version 2

  @Test
  void v2RandomizedCellVectorMatchesFormatMd() throws Exception {
    try (CellCodec codec = codec()) {
      RowSeal row = codec.beginRow();
      codec.startBranchRow(row, branchKey(), range(0x20, 32), range(0x40, 12));
      byte[] cell = codec.sealRandomized(row, SSN, ValueType.TEXT,
          SSN_VALUE.getBytes(StandardCharsets.UTF_8), range(0x50, 12));
      assertThat(HEX.formatHex(cell)).isEqualTo(vector("v2-randomized-cell"));
      assertThat(HEX.formatHex(Arrays.copyOfRange(cell, 21, 81)))
          .isEqualTo(vector("v2-wrapped-row-key"));
    }
    assertThat(HEX.formatHex(referenceCell(2, BRANCH_ID, range(0x00, 32), range(0x40, 12))))
        .isEqualTo(vector("v2-randomized-cell"));
  }

  @Test
  void v2RewrappedCellVectorMatchesFormatMdAndKeepsThePayload() throws Exception {
    try (CellCodec codec = codecHolding(branchKey(), nextBranchKey())) {
      byte[] cell = HEX.parseHex(vector("v2-randomized-cell"));
      byte[] rewrapped = codec.rewrap(codec.beginRewrap(), SSN, cell, nextBranchKey(),
          range(0x90, 12));
      assertThat(HEX.formatHex(rewrapped)).isEqualTo(vector("v2-rewrapped-cell"));
      assertThat(Arrays.copyOfRange(rewrapped, 81, rewrapped.length))
          .isEqualTo(Arrays.copyOfRange(cell, 81, cell.length));
      assertThat(codec.open(SSN, rewrapped).value()).isEqualTo(SSN_VALUE);
    }
    assertThat(HEX.formatHex(referenceCell(2, NEXT_BRANCH_ID, range(0x80, 32),
        range(0x90, 12)))).isEqualTo(vector("v2-rewrapped-cell"));
  }
}
