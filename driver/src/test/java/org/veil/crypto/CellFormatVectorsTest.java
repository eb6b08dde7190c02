package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.KDFCounterBytesGenerator;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.params.KDFCounterParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * The test vectors of docs/FORMAT.md, compared byte for byte: with what {@link CellCodec}
 * writes, and with a reference computation from the document's rules alone (plain JCE,
 * {@link ReferenceV3}; BouncyCastle's SP 800-108 generator for the row key), so the document, the
 * code and the rules agree.
 */
class CellFormatVectorsTest {

  private static final HexFormat HEX = HexFormat.of();
  static final CellColumn SSN = CellCodecTest.SSN;
  static final CellColumn NOTES = CellCodecTest.NOTES;
  static final CellColumn EMAIL = CellCodecTest.EMAIL;
  static final CellColumn BOUND_SSN = CellCodecTest.BOUND_SSN;
  static final KeyId BRANCH_ID = KeyId.parse("00112233-4455-6677-8899-aabbccddeeff");
  static final KeyId NEXT_BRANCH_ID = KeyId.parse("ffeeddcc-bbaa-9988-7766-554433221100");
  static final KeyId DETERMINISTIC_ID = KeyId.parse("0f0e0d0c-0b0a-0908-0706-050403020100");
  static final String SSN_VALUE = "078-05-1120";
  static final byte[] NONCE = range(0x30, 16);

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

  static BranchKey deterministicKey() {
    return BranchKey.of(DETERMINISTIC_ID, KeyPurpose.DETERMINISTIC, range(0x60, 32));
  }

  /** The hex after {@code name:} in docs/FORMAT.md. */
  static String vector(String name) throws Exception {
    Path doc = Path.of(System.getProperty("user.dir")).resolve("../docs/FORMAT.md");
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ": ([0-9a-f]+)$")
        .matcher(Files.readString(doc));
    return m.find() ? m.group(1) : "(no vector named " + name + " in " + doc + ")";
  }

  /** A codec over exactly {@code keys} (the last branch key active), with fixed randomness. */
  static CellCodec codec(byte[] randomness, BranchKey... keys) throws Exception {
    return CellCodec.builder().keys(TestKeys.holding(keys)).random(new FixedRandom(randomness))
        .build();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- version 1 and 2 reference

  /** Wrap IV, then AES-256-GCM(branch key, row key, AAD = 56 4c version 00 + key id). */
  static byte[] referenceWrap(int version, KeyId id, byte[] branchKey, byte[] wrapIv)
      throws Exception {
    byte[] aad = ReferenceV3.concat(new byte[] {0x56, 0x4c, (byte) version, 0}, id.toBytes());
    return ReferenceV3.concat(wrapIv, ReferenceV3.gcm(branchKey, wrapIv, aad, range(0x20, 32)));
  }

  /** A kind 0 cell of version 1 or 2 for the SSN vector, by the rules of FORMAT.md. */
  static byte[] referenceCell(int version, KeyId id, byte[] branchKey, byte[] wrapIv)
      throws Exception {
    byte[] header = ReferenceV3.concat(new byte[] {0x56, 0x4c, (byte) version, 0, 1},
        id.toBytes(), referenceWrap(version, id, branchKey, wrapIv));
    byte[] context = utf8("public.customers.ssn");
    byte[] aad = version == 1 ? ReferenceV3.concat(header, context)
        : ReferenceV3.concat(Arrays.copyOf(header, 5), context);
    byte[] iv = range(0x50, 12);
    return ReferenceV3.concat(header, iv, ReferenceV3.gcm(range(0x20, 32), iv, aad,
        utf8(SSN_VALUE)));
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
    CellCodec codec = codec(new byte[0], branchKey());
    byte[] cell = HEX.parseHex(vector("randomized-cell"));
    assertThat(CellShape.looksLikeCell(cell)).isTrue();
    assertThat(codec.open(SSN, cell, null).value()).isEqualTo(SSN_VALUE);
  }

  @Test
  void deterministicCellVectorsMatchFormatMd() throws Exception {
    CellCodec codec = codec(new byte[0], deterministicKey());
    assertThat(HEX.formatHex(codec.seal(codec.beginRow(), EMAIL, ValueType.TEXT,
        "alice@example.com", null))).isEqualTo(vector("deterministic-cell"));
    assertThat(HEX.formatHex(codec.seal(codec.beginRow(), EMAIL, ValueType.INT, 42, null)))
        .isEqualTo(vector("deterministic-int-cell"));
  }

  // ---------------------------------------------------------------- version 2

  @Test
  void v2RandomizedCellVectorMatchesTheRulesAndStillOpens() throws Exception {
    assertThat(HEX.formatHex(referenceCell(2, BRANCH_ID, range(0x00, 32), range(0x40, 12))))
        .isEqualTo(vector("v2-randomized-cell"));
    CellCodec codec = codec(new byte[0], branchKey());
    assertThat(codec.open(SSN, HEX.parseHex(vector("v2-randomized-cell")), null).value())
        .isEqualTo(SSN_VALUE);
  }

  @Test
  void withCellsVersion2TheCodecWritesTheV2Vector() throws Exception {
    byte[] randomness = ReferenceV3.concat(range(0x20, 32), range(0x40, 12), range(0x50, 12));
    CellCodec codec = CellCodec.builder().keys(TestKeys.holding(branchKey())).cellVersion(2)
        .random(new FixedRandom(randomness)).build();
    RowSeal row = codec.beginRow();
    byte[] cell = codec.seal(row, SSN, ValueType.TEXT, SSN_VALUE, null);
    assertThat(HEX.formatHex(cell)).isEqualTo(vector("v2-randomized-cell"));
    byte[] second = codec.seal(row, NOTES, ValueType.INT, 42, null);
    assertThat(Arrays.copyOfRange(second, 5, 81)).as("the row's cells share its wrapped key")
        .isEqualTo(Arrays.copyOfRange(cell, 5, 81));
    assertThat(Arrays.copyOfRange(second, 81, 93)).as("each cell its own random IV")
        .isNotEqualTo(Arrays.copyOfRange(cell, 81, 93));
    assertThat(codec.open(NOTES, second, null).value()).isEqualTo(42);
    CellCodecTest.assertEveryBitFlipFails(codec, SSN, cell, null);
  }

  @Test
  void v2RewrappedCellVectorMatchesFormatMdAndKeepsThePayload() throws Exception {
    assertThat(HEX.formatHex(referenceCell(2, NEXT_BRANCH_ID, range(0x80, 32),
        range(0x90, 12)))).isEqualTo(vector("v2-rewrapped-cell"));
    CellCodec codec = codec(range(0x90, 12), branchKey(), nextBranchKey());
    byte[] cell = HEX.parseHex(vector("v2-randomized-cell"));
    Rewrapper rewrapper = codec.rewrapper();
    byte[] rewrapped = rewrapper.rewrap(rewrapper.beginRewrap(), SSN, cell, null);
    assertThat(HEX.formatHex(rewrapped)).isEqualTo(vector("v2-rewrapped-cell"));
    assertThat(codec.open(SSN, rewrapped, null).value()).isEqualTo(SSN_VALUE);
  }

  // ---------------------------------------------------------------- version 3

  @Test
  void cmacMatchesNistSp80038bAes256Examples() throws Exception {
    byte[] key = HEX.parseHex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    String m = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
        + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
    byte[] message = HEX.parseHex(m);
    assertThat(HEX.formatHex(ReferenceV3.cmac(key, new byte[0])))
        .isEqualTo("028962f61b7bf89efc6b551f4667d983");
    assertThat(HEX.formatHex(ReferenceV3.cmac(key, Arrays.copyOf(message, 16))))
        .isEqualTo("28a7023f452e8f82bd4bf28d8c37c35c");
    assertThat(HEX.formatHex(ReferenceV3.cmac(key, Arrays.copyOf(message, 40))))
        .isEqualTo("aaf3d8f1de5640c232f5b169b9c911e6");
    assertThat(HEX.formatHex(ReferenceV3.cmac(key, message)))
        .isEqualTo("e1992190549f6ed5696a2c056c315410");
  }

  @Test
  void rowKeyMatchesFormatMdTheReferenceAndBouncyCastlesSp800108() throws Exception {
    byte[] reference = ReferenceV3.rowKey(range(0x00, 32), NONCE);
    assertThat(HEX.formatHex(reference)).isEqualTo(vector("v3-row-key"));

    KDFCounterBytesGenerator bc = new KDFCounterBytesGenerator(new CMac(AESEngine.newInstance()));
    bc.init(new KDFCounterParameters(range(0x00, 32), ReferenceV3.fixedInput(NONCE), new byte[0],
        8));
    byte[] independent = new byte[32];
    bc.generateBytes(independent, 0, 32);
    assertThat(independent).isEqualTo(reference);

    RowKeyKdf kdf = new RowKeyKdf(GcmProvider.fastest().ecb());
    byte[] derived = new byte[32];
    kdf.derive(branchKey(), NONCE, 0, derived);
    assertThat(derived).isEqualTo(reference);
    kdf.derive(nextBranchKey(), NONCE, 0, derived); // rekeyed, then back: the same again
    kdf.derive(branchKey(), NONCE, 0, derived);
    assertThat(derived).isEqualTo(reference);
  }

  @Test
  void v3CellsOfOneRowMatchFormatMdAndTheReference() throws Exception {
    assertThat(HEX.formatHex(ReferenceV3.derivedCell(BRANCH_ID, range(0x00, 32), NONCE, 0, 1,
        utf8(SSN_VALUE), "public.customers.ssn", null))).isEqualTo(vector("v3-randomized-cell"));
    assertThat(HEX.formatHex(ReferenceV3.derivedCell(BRANCH_ID, range(0x00, 32), NONCE, 1, 4,
        ValueType.INT.encode(42), "public.customers.notes", null)))
        .isEqualTo(vector("v3-second-cell"));

    CellCodec codec = codec(NONCE, branchKey());
    RowSeal row = codec.beginRow();
    byte[] first = codec.seal(row, SSN, ValueType.TEXT, SSN_VALUE, null);
    byte[] second = codec.seal(row, NOTES, ValueType.INT, 42, null);
    assertThat(HEX.formatHex(first)).isEqualTo(vector("v3-randomized-cell"));
    assertThat(HEX.formatHex(second)).isEqualTo(vector("v3-second-cell"));
    assertThat(codec.open(SSN, first, null).value()).isEqualTo(SSN_VALUE);
    assertThat(codec.open(NOTES, second, null).value()).isEqualTo(42);
  }

  @Test
  void v3BoundCellMatchesFormatMdAndTheReference() throws Exception {
    byte[] binding = utf8("1001");
    assertThat(HEX.formatHex(ReferenceV3.derivedCell(BRANCH_ID, range(0x00, 32), NONCE, 0, 1,
        utf8(SSN_VALUE), "public.customers.ssn", binding))).isEqualTo(vector("v3-bound-cell"));
    CellCodec codec = codec(NONCE, branchKey());
    byte[] cell = codec.seal(codec.beginRow(), BOUND_SSN, ValueType.TEXT, SSN_VALUE, binding);
    assertThat(HEX.formatHex(cell)).isEqualTo(vector("v3-bound-cell"));
  }

  @Test
  void v3RewrappedCellMatchesFormatMdAndKeepsThePayload() throws Exception {
    byte[] cell = HEX.parseHex(vector("v3-randomized-cell"));
    assertThat(HEX.formatHex(ReferenceV3.rewrappedCell(cell, range(0x00, 32), NEXT_BRANCH_ID,
        range(0x80, 32), range(0x90, 12)))).isEqualTo(vector("v3-rewrapped-cell"));
    CellCodec codec = codec(range(0x90, 12), branchKey(), nextBranchKey());
    Rewrapper rewrapper = codec.rewrapper();
    byte[] rewrapped = rewrapper.rewrap(rewrapper.beginRewrap(), SSN, cell, null);
    assertThat(HEX.formatHex(rewrapped)).isEqualTo(vector("v3-rewrapped-cell"));
    assertThat(Arrays.copyOfRange(rewrapped, 81, rewrapped.length))
        .isEqualTo(Arrays.copyOfRange(cell, 37, cell.length));
    assertThat(codec.open(SSN, rewrapped, null).value()).isEqualTo(SSN_VALUE);
  }
}
