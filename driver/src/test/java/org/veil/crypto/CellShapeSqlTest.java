package org.veil.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.veil.crypto.CellCodecTest.BOUND_SSN;
import static org.veil.crypto.CellCodecTest.EMAIL;
import static org.veil.crypto.CellCodecTest.NOTES;
import static org.veil.crypto.CellCodecTest.ROW_1;
import static org.veil.crypto.CellCodecTest.SSN;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The text-cell pattern of {@link CellShapeSql} against every kind of cell the codec writes and
 * the docs/FORMAT.md vectors, in their text forms, and against text that is not a cell. Here the
 * pattern's parts are evaluated with {@code java.util.regex} (the regular expression's syntax is
 * common to both); CellShapeSqlIT has PostgreSQL evaluate the SQL itself.
 */
class CellShapeSqlTest {

  private static final Pattern TEXT = Pattern.compile(CellShapeSql.textRegex());

  /** The text-shape test as the SQL composes it: length, start, then the whole pattern. */
  private static boolean hasTextShape(String text) {
    return text.length() >= CellShapeSql.minimumTextLength()
        && CellShapeSql.textStarts().stream().anyMatch(text::startsWith)
        && TEXT.matcher(text).matches();
  }

  private static CellCodec codec(TestKeys keys, Wrapping wrapping, int version) throws Exception {
    return CellCodec.builder().keys(keys).directKeys(keys).wrapping(wrapping)
        .cellVersion(version).executor(Runnable::run).build();
  }

  /** Every kind of cell, by name: versions 1 to 3, each kind, empty and large values. */
  static Map<String, byte[]> cells() throws Exception {
    Map<String, byte[]> cells = new LinkedHashMap<>();
    TestKeys keys = TestKeys.random();
    CellCodec v3 = codec(keys, Wrapping.BRANCH, 3);
    CellCodec v2 = codec(keys, Wrapping.BRANCH, 2);
    CellCodec direct = codec(keys, Wrapping.DIRECT, 3);
    char[] large = new char[1 << 20];
    Arrays.fill(large, 'x');
    for (String value : new String[] {"", "a", "ab", "078-05-1120", new String(large)}) {
      String size = "(" + value.length() + " chars)";
      cells.put("v3 randomized " + size, v3.seal(v3.beginRow(), SSN, ValueType.TEXT, value,
          null));
      cells.put("v2 randomized " + size, v2.seal(v2.beginRow(), SSN, ValueType.TEXT, value,
          null));
      cells.put("v1 direct " + size, direct.seal(direct.beginRow(), SSN, ValueType.TEXT, value,
          null));
      cells.put("v1 deterministic " + size, v3.seal(v3.beginRow(), EMAIL, ValueType.TEXT,
          value, null));
      cells.put("v3 bound " + size, v3.seal(v3.beginRow(), BOUND_SSN, ValueType.TEXT, value,
          ROW_1));
    }
    cells.put("v3 randomized bytes", v3.seal(v3.beginRow(), NOTES, ValueType.BYTES,
        new byte[0], null));
    cells.put("v3 randomized int", v3.seal(v3.beginRow(), NOTES, ValueType.INT, 42, null));
    cells.put("v1 deterministic int", v3.seal(v3.beginRow(), EMAIL, ValueType.INT, 42, null));
    byte[] v3Cell = v3.seal(v3.beginRow(), SSN, ValueType.TEXT, "to rewrap", null);
    byte[] v2Cell = v2.seal(v2.beginRow(), SSN, ValueType.TEXT, "to rewrap", null);
    keys.rotate();
    Rewrapper rewrapper = v3.rewrapper();
    cells.put("v3 rewrapped", rewrapper.rewrap(rewrapper.beginRewrap(), SSN, v3Cell, null));
    cells.put("v2 rewrapped", rewrapper.rewrap(rewrapper.beginRewrap(), SSN, v2Cell, null));
    for (String vector : new String[] {"randomized-cell", "deterministic-cell",
        "deterministic-int-cell", "v2-randomized-cell", "v2-rewrapped-cell",
        "v3-randomized-cell", "v3-second-cell", "v3-bound-cell", "v3-rewrapped-cell"}) {
      cells.put("FORMAT.md " + vector, HexFormat.of().parseHex(
          CellFormatVectorsTest.vector(vector)));
    }
    return cells;
  }

  @Test
  void everyCellTheCodecWritesHasTheTextShapeInItsTextForm() throws Exception {
    Map<String, byte[]> cells = cells();
    assertThat(cells.values().stream().map(c -> c[2]).distinct())
        .as("every version").containsExactlyInAnyOrder((byte) 1, (byte) 2, (byte) 3);
    cells.forEach((name, cell) -> {
      String text = CellShape.toText(cell);
      assertThat(hasTextShape(text)).as(name).isTrue();
      assertThat(CellShape.fromText(text)).as(name + ", decoded back").isEqualTo(cell);
    });
  }

  @Test
  void theShortestCellIsExactlyAsLongAsTheMinimumTextLength() throws Exception {
    int shortest = cells().values().stream().mapToInt(c -> CellShape.toText(c).length()).min()
        .orElseThrow();
    assertThat(shortest).as("a deterministic cell of an empty value")
        .isEqualTo(CellShapeSql.minimumTextLength());
  }

  /** Text that is not a cell's text form, by what it is. */
  static Map<String, String> nonCells() throws Exception {
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("the prefix alone", "veil:");
    texts.put("plaintext after the prefix", "veil:my secret, which is not base64 at all");
    texts.put("plaintext", "078-05-1120");
    texts.put("base64 of text after the prefix", "veil:" + Base64.getEncoder().encodeToString(
        "a long enough value that is no cell, only its base64".getBytes(
            StandardCharsets.UTF_8)));
    byte[] unknownVersion = new byte[60];
    unknownVersion[0] = 0x56;
    unknownVersion[1] = 0x4c;
    unknownVersion[2] = 9;
    texts.put("an unknown version", CellShape.toText(unknownVersion));
    byte[] cell = cells().get("v3 randomized (11 chars)");
    String text = CellShape.toText(cell);
    texts.put("upper-case prefix", "VEIL:" + text.substring(5));
    texts.put("a line break after the cell", text + "\n");
    texts.put("a space inside", text.substring(0, 20) + " " + text.substring(20));
    texts.put("base64url", text.replace('+', '-').replace('/', '_') + "-_");
    String padded = CellShape.toText(Arrays.copyOf(cell, cell.length + 1));
    texts.put("padding dropped", padded.replace("=", ""));
    texts.put("the header only", CellShape.toText(Arrays.copyOf(cell, 21)));
    byte[] deterministic = cells().get("v1 deterministic (0 chars)");
    texts.put("one byte short of the shortest cell",
        CellShape.toText(Arrays.copyOf(deterministic, deterministic.length - 1)));
    for (int cut = 1; cut < text.length() - 5; cut++) {
      if ((text.length() - cut - 5) % 4 != 0) {
        texts.put("cut " + cut + " characters short, inside a base64 quantum",
            text.substring(0, text.length() - cut));
      }
    }
    return texts;
  }

  @Test
  void textThatIsNoCellsTextFormHasNotTheShape() throws Exception {
    nonCells().forEach((name, text) -> assertThat(hasTextShape(text)).as(name).isFalse());
  }

  @Test
  void theTextStartsAreThePrefixAndTheBase64OfEachVersionsHeader() {
    assertThat(CellShapeSql.textStarts()).containsExactly("veil:VkwB", "veil:VkwC",
        "veil:VkwD");
    for (String start : CellShapeSql.textStarts()) {
      assertThat(CellShape.startsLikeTextCell(start)).as(start).isTrue();
    }
  }
}
