package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;
import org.veil.keys.BranchKey;
import org.veil.keys.InMemoryBranchKeyStore;
import org.veil.keys.KeyId;
import org.veil.keys.KeyPurpose;
import org.veil.kms.FlakyKeyProvider;

/** The test vectors of docs/FORMAT.md, recomputed and compared byte for byte. */
class CellFormatVectorsTest {

  private static final HexFormat HEX = HexFormat.of();
  static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "customers", "email",
      EncryptionMode.DETERMINISTIC);

  static byte[] range(int first, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
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

  @Test
  void randomizedCellVectorMatchesFormatMd() throws Exception {
    try (CellCodec codec = codec()) {
      BranchKey branch = BranchKey.of(KeyId.parse("00112233-4455-6677-8899-aabbccddeeff"),
          KeyPurpose.BRANCH, range(0x00, 32));
      RowSeal row = codec.beginRow();
      codec.startBranchRow(row, branch, range(0x20, 32), range(0x40, 12));
      byte[] cell = codec.sealRandomized(row, SSN, ValueType.TEXT,
          "078-05-1120".getBytes(java.nio.charset.StandardCharsets.UTF_8), range(0x50, 12));
      assertThat(HEX.formatHex(cell)).isEqualTo(vector("randomized-cell"));
    }
  }

  @Test
  void deterministicCellVectorMatchesFormatMd() throws Exception {
    try (CellCodec codec = codec()) {
      BranchKey key = BranchKey.of(KeyId.parse("0f0e0d0c-0b0a-0908-0706-050403020100"),
          KeyPurpose.DETERMINISTIC, range(0x60, 32));
      byte[] cell = codec.sealDeterministic(key, EMAIL, ValueType.TEXT,
          "alice@example.com".getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
}
